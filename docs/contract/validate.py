#!/usr/bin/env python3
"""Checks OrderFlow's contract documentation (docs/contract/).

- every JSON Schema under schemas/ is a valid draft 2020-12 schema;
- asyncapi.yaml parses, is AsyncAPI 3.0.0, and every $ref in it resolves (inside the
  document and into schemas/); every operation's messages belong to its channel;
- every example under examples/ validates against its schema: envelopes against
  schemas/cloudevents-envelope.json, their `data` against
  schemas/data/<type>.v<dataversion>.json, and the whole value against the payload of
  the matching message in asyncapi.yaml; submission, master data and dead-letter
  headers against theirs;
- there is an example for every inbound event type, the submission and a status event;
- some deliberately wrong values are rejected (the schemas are not vacuous);
- where the sources sit beside it (../../Shared/OrderModel), every event type of
  EventRegistry.standard has a data schema at its current dataVersion and a message in
  asyncapi.yaml, and every route of `orderctl send` lists the type on its topic's channel.

Usage: python3 docs/contract/validate.py [--extra DIR ...]
  --extra DIR   also validate every *.json envelope in DIR (e.g. events captured from a
                running system) against the envelope, data and AsyncAPI schemas.
Needs python3 with jsonschema (pip install jsonschema, or Debian python3-jsonschema)
and PyYAML (python3-yaml). Exits non-zero when anything fails.
"""
import argparse
import copy
import json
import re
import sys
from pathlib import Path

try:
    import yaml
    from jsonschema import Draft202012Validator, FormatChecker
except ImportError as error:  # pragma: no cover
    print(f"missing dependency: {error} (pip install jsonschema pyyaml, or apt-get install python3-jsonschema python3-yaml)",
          file=sys.stderr)
    sys.exit(2)
try:  # jsonschema >= 4.18
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012
except ImportError:  # older jsonschema (e.g. Debian's 4.10): a plain store for RefResolver
    Registry = None

    class Resource:
        @staticmethod
        def from_contents(contents, default_specification=None):
            return contents

    DRAFT202012 = None


def empty_registry():
    return Registry() if Registry is not None else {}


def with_resource(registry, uri, contents):
    if Registry is not None:
        return registry.with_resource(uri, Resource.from_contents(contents, default_specification=DRAFT202012))
    store = dict(registry)
    store[uri] = contents
    return store

HERE = Path(__file__).resolve().parent
SCHEMAS = HERE / "schemas"
EXAMPLES = HERE / "examples"
ASYNCAPI = HERE / "asyncapi.yaml"
SOURCES = HERE.parent.parent / "Shared" / "OrderModel"
LOAD_COMMANDS = HERE.parent.parent / "Services" / "OrderCtl" / "LoadCommands.swift"

# Examples that are not envelopes: file name -> (schema file, AsyncAPI message name, part)
PLAIN_EXAMPLES = {
    "order-submission.json": ("order-submission.v1.json", "OrderSubmission", "payload"),
    "product-record.json": ("product-record.v1.json", "ProductRecord", "payload"),
    "customer-record.json": ("customer-record.v1.json", "CustomerRecord", "payload"),
    "deadletter.headers.json": (None, "DeadLetter", "headers"),
}
# The contract's inbound types (CONTRACT.md plus additions): each needs an example.
INBOUND_TYPES = [
    "review.decided", "order.cancellation-requested", "order.change-requested", "stock.received",
    "stock.in-transit", "warehouse.task-completed", "shipment.tracking-updated", "delivery.responded",
    "payment.received",
]
TOPIC_CASES = {  # Swift `Topic` case -> topic name
    "submitted": "orders.submitted", "review": "orders.review", "warehouse": "orders.warehouse",
    "logistics": "orders.logistics", "billing": "orders.billing", "status": "orders.status",
    "deadletter": "orders.deadletter", "deadletterReplays": "orders.deadletter.replays", "replenishment": "orders.replenishment",
    "products": "masterdata.products", "customers": "masterdata.customers",
}


class Report:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, ok, what, detail=""):
        if ok:
            self.passed += 1
        else:
            self.failed += 1
            print(f"FAIL {what}" + (f": {detail}" if detail else ""))
        return ok


def load_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def build_registry(report):
    """Every schema file, registered under its file URI (relative $refs resolve from there)."""
    registry = empty_registry()
    schemas = {}
    for path in sorted(SCHEMAS.rglob("*.json")):
        name = path.relative_to(HERE).as_posix()
        try:
            schema = load_json(path)
        except ValueError as error:
            report.check(False, f"{name} parses", str(error))
            continue
        try:
            Draft202012Validator.check_schema(schema)
            report.check(schema.get("$schema") == "https://json-schema.org/draft/2020-12/schema",
                         f"{name} declares draft 2020-12")
        except Exception as error:  # SchemaError
            report.check(False, f"{name} is a valid JSON Schema", str(error).splitlines()[0])
            continue
        schema = copy.deepcopy(schema)
        schema["$id"] = path.as_uri()
        schemas[name] = schema
        registry = with_resource(registry, path.as_uri(), schema)
    return registry, schemas


BASE = (HERE / "validate.json").as_uri()  # base for the wrapper schemas below: refs are relative to docs/contract/


class Unresolvable(Exception):
    pass


def errors_of(schema_ref, instance, registry):
    """Validation errors of `instance` against the schema at `schema_ref` (relative to docs/contract/)."""
    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": BASE, "$ref": schema_ref}
    try:
        if Registry is not None:
            validator = Draft202012Validator(schema, registry=registry, format_checker=FormatChecker())
        else:
            from jsonschema import RefResolver
            resolver = RefResolver(base_uri=BASE, referrer=schema, store=registry)
            validator = Draft202012Validator(schema, resolver=resolver, format_checker=FormatChecker())
        return sorted(validator.iter_errors(instance), key=lambda e: list(e.absolute_path))
    except Exception as error:  # an unresolvable $ref and the like
        return [Unresolvable(f"{schema_ref}: {type(error).__name__}: {error}")]


def describe(errors):
    first = errors[0]
    if isinstance(first, Unresolvable):
        return str(first)
    where = "/".join(str(p) for p in first.absolute_path) or "(root)"
    return f"{where}: {first.message}" + (f" (+{len(errors) - 1} more)" if len(errors) > 1 else "")


def pointer(document, fragment):
    node = document
    for part in [p for p in fragment.lstrip("/").split("/") if p != ""]:
        part = part.replace("~1", "/").replace("~0", "~")
        if isinstance(node, list):
            node = node[int(part)]
        else:
            node = node[part]
    return node


def check_refs(node, document, base_dir, report, where="#"):
    """Every $ref in the AsyncAPI document resolves (internal pointers and files + fragments)."""
    if isinstance(node, dict):
        if "$ref" in node and isinstance(node["$ref"], str):
            ref = node["$ref"]
            target, _, fragment = ref.partition("#")
            try:
                if target:
                    path = (base_dir / target).resolve()
                    pointer(load_json(path), fragment)
                else:
                    pointer(document, fragment)
                report.check(True, f"asyncapi $ref {ref}")
            except (OSError, KeyError, IndexError, ValueError, TypeError) as error:
                report.check(False, f"asyncapi $ref {ref} at {where} resolves", repr(error))
        for key, value in node.items():
            if key != "examples":
                check_refs(value, document, base_dir, report, f"{where}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            check_refs(value, document, base_dir, report, f"{where}/{index}")


def load_asyncapi(report):
    try:
        with open(ASYNCAPI, encoding="utf-8") as f:
            doc = yaml.safe_load(f)
    except (OSError, yaml.YAMLError) as error:
        report.check(False, "asyncapi.yaml parses", str(error))
        return None
    report.check(isinstance(doc, dict), "asyncapi.yaml parses to a mapping")
    if not isinstance(doc, dict):
        return None
    report.check(doc.get("asyncapi") == "3.0.0", "asyncapi.yaml is AsyncAPI 3.0.0", str(doc.get("asyncapi")))
    for key in ["info", "servers", "channels", "operations", "components"]:
        report.check(key in doc, f"asyncapi.yaml has {key}")
    info = doc.get("info", {})
    report.check(bool(info.get("title")) and bool(info.get("version")), "asyncapi info has title and version")
    check_refs(doc, doc, HERE, report)
    channels = doc.get("channels", {})
    for name, channel in channels.items():
        report.check(bool(channel.get("address")), f"channel {name} has an address")
        report.check(bool(channel.get("messages")), f"channel {name} lists messages")
    for name, operation in doc.get("operations", {}).items():
        report.check(operation.get("action") in ("send", "receive"), f"operation {name} action is send or receive")
        channel_ref = operation.get("channel", {}).get("$ref", "")
        match = re.fullmatch(r"#/channels/([^/]+)", channel_ref)
        if not report.check(match is not None and match.group(1) in channels, f"operation {name} names a channel", channel_ref):
            continue
        for message in operation.get("messages", []):
            ref = message.get("$ref", "")
            report.check(ref.startswith(f"#/channels/{match.group(1)}/messages/"),
                         f"operation {name}: message {ref} belongs to its channel")
    return doc


def messages_by_name(doc):
    """AsyncAPI component messages, by component key and by their `name` (the event type)."""
    result = {}
    for key, message in doc.get("components", {}).get("messages", {}).items():
        result[key] = (key, message)
        if message.get("name"):
            result[message["name"]] = (key, message)
    return result


def channel_types(doc):
    """topic name -> set of message names listed on its channel."""
    result = {}
    components = doc.get("components", {}).get("messages", {})
    for channel in doc.get("channels", {}).values():
        names = set()
        for message in channel.get("messages", {}).values():
            key = message.get("$ref", "").rsplit("/", 1)[-1]
            names.add(components.get(key, {}).get("name", key))
        result[channel.get("address")] = names
    return result


def message_part(key, part):
    return f"asyncapi.yaml#/components/messages/{key}/{part}"


def validate_envelope(name, value, registry, messages, report):
    errors = errors_of("schemas/cloudevents-envelope.json", value, registry)
    report.check(not errors, f"{name}: envelope", errors and describe(errors))
    event_type = value.get("type")
    version = value.get("dataversion", 1)
    data_file = SCHEMAS / "data" / f"{event_type}.v{version}.json"
    if report.check(data_file.exists(), f"{name}: data schema for {event_type} v{version} exists"):
        errors = errors_of(f"schemas/data/{event_type}.v{version}.json", value.get("data"), registry)
        report.check(not errors, f"{name}: data of {event_type} v{version}", errors and describe(errors))
    found = messages.get(event_type)
    if report.check(found is not None and "payload" in found[1], f"{name}: asyncapi message for {event_type}"):
        errors = errors_of(message_part(found[0], "payload"), value, registry)
        report.check(not errors, f"{name}: asyncapi payload of {event_type}", errors and describe(errors))


def validate_examples(registry, doc, report):
    messages = messages_by_name(doc) if doc else {}
    seen_types = set()
    files = sorted(EXAMPLES.glob("*.json"))
    report.check(bool(files), "examples/ has examples")
    for path in files:
        name = f"examples/{path.name}"
        try:
            value = load_json(path)
        except ValueError as error:
            report.check(False, f"{name} parses", str(error))
            continue
        if path.name in PLAIN_EXAMPLES:
            schema_file, message_name, part = PLAIN_EXAMPLES[path.name]
            if schema_file:
                errors = errors_of(f"schemas/{schema_file}", value, registry)
                report.check(not errors, f"{name}: {schema_file}", errors and describe(errors))
            found = messages.get(message_name)
            if report.check(found is not None and part in found[1], f"{name}: asyncapi message {message_name} has {part}"):
                errors = errors_of(message_part(found[0], part), value, registry)
                report.check(not errors, f"{name}: asyncapi {message_name} {part}", errors and describe(errors))
            continue
        if not report.check(isinstance(value, dict) and "specversion" in value, f"{name} is an envelope or a known plain example"):
            continue
        seen_types.add(value.get("type"))
        validate_envelope(name, value, registry, messages, report)
    for event_type in INBOUND_TYPES + ["order.status-changed"]:
        report.check(event_type in seen_types, f"an example of {event_type}")
    report.check((EXAMPLES / "order-submission.json").exists(), "an example of the order submission")
    return seen_types


def validate_extra(directories, registry, doc, report):
    messages = messages_by_name(doc) if doc else {}
    for directory in directories:
        for path in sorted(Path(directory).glob("*.json")):
            try:
                value = load_json(path)
            except ValueError as error:
                report.check(False, f"{path} parses", str(error))
                continue
            validate_envelope(str(path), value, registry, messages, report)


def negative_checks(registry, report):
    """Values that must NOT validate: proves the schemas constrain what they claim."""
    submission = load_json(EXAMPLES / "order-submission.json")
    status = load_json(EXAMPLES / "order.status-changed.json")
    payment = load_json(EXAMPLES / "payment.received.json")
    product = load_json(EXAMPLES / "product-record.json")

    def mutate(value, change):
        value = copy.deepcopy(value)
        change(value)
        return value

    cases = [
        ("submission without schemaVersion", "schemas/order-submission.v1.json", mutate(submission, lambda v: v.pop("schemaVersion"))),
        ("submission schemaVersion 2", "schemas/order-submission.v1.json", mutate(submission, lambda v: v.update(schemaVersion=2))),
        ("submission without lines", "schemas/order-submission.v1.json", mutate(submission, lambda v: v.update(lines=[]))),
        ("submission unitPrice as a number", "schemas/order-submission.v1.json",
         mutate(submission, lambda v: v["lines"][0].update(unitPrice=1180.0))),
        ("submission quantity 0", "schemas/order-submission.v1.json", mutate(submission, lambda v: v["lines"][0].update(quantity=0))),
        ("submission quantity 2.5", "schemas/order-submission.v1.json", mutate(submission, lambda v: v["lines"][0].update(quantity=2.5))),
        ("submission shipTo without city", "schemas/order-submission.v1.json", mutate(submission, lambda v: v["shipTo"].pop("city"))),
        ("envelope without id", "schemas/cloudevents-envelope.json", mutate(status, lambda v: v.pop("id"))),
        ("envelope specversion 0.3", "schemas/cloudevents-envelope.json", mutate(status, lambda v: v.update(specversion="0.3"))),
        ("envelope time without zone", "schemas/cloudevents-envelope.json", mutate(status, lambda v: v.update(time="2026-11-23 09:15"))),
        ("rejected status without reasons", "schemas/data/order.status-changed.v1.json",
         mutate(status["data"], lambda v: v.pop("reasons"))),
        ("status without externalOrderId", "schemas/data/order.status-changed.v1.json",
         mutate(status["data"], lambda v: v.pop("externalOrderId"))),
        ("status details with a number", "schemas/data/order.status-changed.v1.json",
         mutate(status["data"], lambda v: v["details"].update(openExposure=480000))),
        ("payment amount with exponent", "schemas/data/payment.received.v1.json",
         mutate(payment["data"], lambda v: v.update(amount="1e3"))),
        ("payment amount zero", "schemas/data/payment.received.v1.json", mutate(payment["data"], lambda v: v.update(amount="0.00"))),
        ("product without floorPrice", "schemas/product-record.v1.json", mutate(product, lambda v: v.pop("floorPrice"))),
    ]
    for what, schema_ref, instance in cases:
        errors = errors_of(schema_ref, instance, registry)
        report.check(bool(errors) and not isinstance(errors[0], Unresolvable), f"rejects {what}",
                     "accepted" if not errors else str(errors[0]))


def swift_event_types():
    """(type, dataVersion) of every payload registered in EventRegistry.standard, read from the sources."""
    registry_file = SOURCES / "StandardRegistry.swift"
    if not registry_file.exists():
        return None
    registered = re.findall(r"register\((\w+)\.self", registry_file.read_text(encoding="utf-8"))
    structs = {}
    for path in SOURCES.rglob("*.swift"):
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"struct (\w+): EventPayload \{(.*?)\n\}", text, re.S):
            body = match.group(2)
            event_type = re.search(r'eventType = "([^"]+)"', body)
            version = re.search(r"dataVersion = (\d+)", body)
            if event_type and version:
                structs[match.group(1)] = (event_type.group(1), int(version.group(1)))
    return [(name, structs.get(name)) for name in registered]


def source_checks(doc, report):
    types = swift_event_types()
    if types is None:
        print("note: Shared/OrderModel not found beside docs/; registry coverage not checked")
        return
    messages = messages_by_name(doc) if doc else {}
    for struct, found in types:
        if not report.check(found is not None, f"EventRegistry.standard: {struct} has eventType and dataVersion"):
            continue
        event_type, version = found
        report.check((SCHEMAS / "data" / f"{event_type}.v{version}.json").exists(),
                     f"data schema for {event_type} at its current dataVersion {version}")
        report.check(event_type in messages, f"asyncapi message for {event_type}")
    if LOAD_COMMANDS.exists() and doc:
        text = LOAD_COMMANDS.read_text(encoding="utf-8")
        routes_block = re.search(r"static let routes[^=]*=\s*\[(.*?)\]", text, re.S)
        by_struct = {struct: found[0] for struct, found in types if found}
        on_channel = channel_types(doc)
        for struct, case in re.findall(r"(\w+)\.eventType:\s*\.(\w+)", routes_block.group(1) if routes_block else ""):
            event_type, topic = by_struct.get(struct), TOPIC_CASES.get(case)
            report.check(event_type is not None and event_type in on_channel.get(topic, set()),
                         f"orderctl send route {event_type} -> {topic} is on that channel")
            report.check(event_type in INBOUND_TYPES, f"orderctl send route {event_type} is a documented inbound type")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--extra", action="append", default=[], help="directory of extra envelope JSON files to validate")
    args = parser.parse_args()
    report = Report()
    registry, _ = build_registry(report)
    doc = load_asyncapi(report)
    if doc:
        registry = with_resource(registry, ASYNCAPI.as_uri(), doc)
    validate_examples(registry, doc, report)
    validate_extra(args.extra, registry, doc, report)
    negative_checks(registry, report)
    source_checks(doc, report)
    print(f"{report.passed} passed, {report.failed} failed")
    return 0 if report.failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
