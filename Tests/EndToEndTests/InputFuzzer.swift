import DemoKit
import Foundation
import OrderModel

/// One step into a JSON document: an object member or an array element.
enum JSONPathStep: Hashable, Sendable, CustomStringConvertible {
    case key(String)
    case index(Int)

    var description: String {
        switch self {
        case .key(let key): key
        case .index(let index): String(index)
        }
    }
}

typealias JSONPath = [JSONPathStep]

extension JSONValue {
    /// The value at `path`, if there is one.
    func value(at path: JSONPath) -> JSONValue? {
        var current: JSONValue? = self
        for step in path {
            switch (current, step) {
            case (.object(let members)?, .key(let key)): current = members[key]
            case (.array(let items)?, .index(let index)) where items.indices.contains(index): current = items[index]
            default: return nil
            }
        }
        return current
    }

    /// This value with the member or element at `path` replaced by `value` (an object
    /// member is removed when `value` is nil). A path that does not exist changes nothing.
    func setting(_ path: JSONPath, to value: JSONValue?) -> JSONValue {
        guard let step = path.first else { return value ?? .null }
        let rest = Array(path.dropFirst())
        switch (self, step) {
        case (.object(var members), .key(let key)):
            if rest.isEmpty {
                members[key] = value
            } else if let member = members[key] {
                members[key] = member.setting(rest, to: value)
            }
            return .object(members)
        case (.array(var items), .index(let index)) where items.indices.contains(index):
            items[index] = rest.isEmpty ? (value ?? .null) : items[index].setting(rest, to: value)
            return .array(items)
        default:
            return self
        }
    }
}

/// A valid input to fuzz and the places in it that a reader must check.
struct FuzzBase: Sendable {
    /// The valid document.
    var document: JSONValue
    /// Members whose absence or wrong type makes the input unreadable or invalid.
    var required: [JSONPath]
    /// Integers among the required members.
    var integers: [JSONPath]
    /// Required strings whose content is checked, so that a bad byte cannot pass unnoticed.
    var checkedStrings: [JSONPath]
    /// Where the schema version is, and versions no reader knows.
    var version: JSONPath
    var unknownVersions: [String]
    /// Where the event type is (envelopes only).
    var type: JSONPath?
    /// Known event types whose `data` has this document's shape but which the receiving
    /// department does not act on: the event as a misrouted sender would put it there.
    var misroutedTypes: [String] = []
}

/// How an input was broken.
enum FuzzKind: String, CaseIterable, Sendable {
    case truncated, wrongType, missingField, hugeNumber, deepNesting, invalidUTF8, unknownVersion, unknownType, misroutedType, randomBytes
}

/// One fuzzed input: its bytes and how it was made (for failure messages).
struct FuzzedInput: Sendable {
    var kind: FuzzKind
    var what: String
    var bytes: [UInt8]
}

/// Breaks valid submissions and envelopes in ways none of which a reader may accept:
/// each result is either unreadable (truncated, invalid UTF-8, random bytes, nesting past
/// every decoder's limit) or readable but invalid (a required member missing or of the
/// wrong type, an integer out of range, an unknown version or event type). Deterministic
/// for a seed (`SplitMix64`), so a failing input can be made again.
struct InputFuzzer {
    private var random: SplitMix64

    init(seed: UInt64) { random = SplitMix64(seed: seed) }

    static let placeholder = "@@fuzz-placeholder@@"
    static let hugeNumbers = ["1e400", "-1e400", "123456789012345678901234567890123456789012345678901234567890",
                              "9223372036854775808", "-9223372036854775809", "1.8e308", "1e19", "-1e19"]
    static let unknownTypes = ["order.unknown", "", "ORDER.RECEIVED", "order.received.v2", "stock.receivedx", " stock.received", "review.decided "]
    static let invalidSequences: [[UInt8]] = [[0xFF], [0xFE], [0x80], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xE2, 0x82],
                                              [0xF8, 0x88, 0x80, 0x80, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xC3]]

    /// The kinds that apply to `base` (no event type in a submission).
    static func kinds(for base: FuzzBase) -> [FuzzKind] {
        FuzzKind.allCases.filter { ($0 != .unknownType || base.type != nil) && ($0 != .misroutedType || !base.misroutedTypes.isEmpty) }
    }

    /// `base` broken the `kind` way.
    mutating func mutate(_ base: FuzzBase, _ kind: FuzzKind) -> FuzzedInput {
        let valid = Self.encode(base.document)
        switch kind {
        case .truncated:
            let length = Int.random(in: 1..<valid.count, using: &random)
            return FuzzedInput(kind: kind, what: "first \(length) of \(valid.count) bytes", bytes: Array(valid.prefix(length)))
        case .randomBytes:
            let count = Int.random(in: 1...512, using: &random)
            return FuzzedInput(kind: kind, what: "\(count) random bytes", bytes: (0..<count).map { _ in UInt8.random(in: 0...255, using: &random) })
        case .missingField:
            let path = base.required.filter { if case .key = $0.last { true } else { false } }.randomElement(using: &random)!
            return FuzzedInput(kind: kind, what: "without \(Self.name(path))", bytes: Self.encode(base.document.setting(path, to: nil)))
        case .wrongType:
            let path = base.required.randomElement(using: &random)!
            let raw = Self.wrongTypes(for: base.document.value(at: path)).randomElement(using: &random)!
            return replacing(base, path, raw: raw, kind: kind)
        case .hugeNumber:
            let path = base.integers.randomElement(using: &random)!
            return replacing(base, path, raw: Self.hugeNumbers.randomElement(using: &random)!, kind: kind)
        case .deepNesting:
            let depth = Int.random(in: 65...3000, using: &random)
            let inner = ["1", "{}", #""x""#, "[]"].randomElement(using: &random)!
            if Bool.random(using: &random) {
                let nested = String(repeating: #"{"a":"#, count: depth) + inner + String(repeating: "}", count: depth)
                return replacing(base, base.required.randomElement(using: &random)!, raw: nested, kind: kind)
            }
            let open = Array(repeating: UInt8(ascii: "["), count: depth), close = Array(repeating: UInt8(ascii: "]"), count: depth)
            if Bool.random(using: &random) {
                return FuzzedInput(kind: kind, what: "the whole value inside \(depth) arrays", bytes: open + valid + close)
            }
            return replacing(base, base.required.randomElement(using: &random)!, raw: String(repeating: "[", count: depth) + inner + String(repeating: "]", count: depth), kind: kind)
        case .invalidUTF8:
            let path = base.checkedStrings.randomElement(using: &random)!
            var text = Self.encode(base.document.value(at: path) ?? .string("x"))   // "…", quotes included
            let bad = Self.invalidSequences.randomElement(using: &random)!
            text.insert(contentsOf: bad, at: Int.random(in: 1..<text.count, using: &random))
            return replacing(base, path, raw: text, kind: kind, describe: "\(bad.map { String($0, radix: 16) })")
        case .unknownVersion:
            return replacing(base, base.version, raw: base.unknownVersions.randomElement(using: &random)!, kind: kind)
        case .unknownType, .misroutedType:
            let type = (kind == .unknownType ? Self.unknownTypes : base.misroutedTypes).randomElement(using: &random)!
            return replacing(base, base.type ?? [.key("type")], raw: Self.encode(.string(type)), kind: kind, describe: "\"\(type)\"")
        }
    }

    /// The document with the value at `path` replaced by the raw JSON text `raw` (which may
    /// be anything, valid JSON or not).
    private func replacing(_ base: FuzzBase, _ path: JSONPath, raw: String, kind: FuzzKind) -> FuzzedInput {
        replacing(base, path, raw: Array(raw.utf8), kind: kind, describe: raw.count > 60 ? "\(raw.prefix(30))…(\(raw.utf8.count) bytes)" : raw)
    }

    private func replacing(_ base: FuzzBase, _ path: JSONPath, raw: [UInt8], kind: FuzzKind, describe: String) -> FuzzedInput {
        let marked = Self.encode(base.document.setting(path, to: .string(Self.placeholder)))
        let marker = Self.encode(.string(Self.placeholder))
        var bytes = marked
        if let range = Self.firstRange(of: marker, in: marked) { bytes.replaceSubrange(range, with: raw) }
        return FuzzedInput(kind: kind, what: "\(Self.name(path)) = \(describe)", bytes: bytes)
    }

    /// JSON text of another type than `value`'s (never null, which some readers take as absent).
    static func wrongTypes(for value: JSONValue?) -> [String] {
        switch value {
        case .string?: ["42", "true", "false", "[]", "{}", #"["x"]"#, #"{"value":"x"}"#, "-7.5"]
        case .number?: [#""3""#, #""""#, "true", "[]", "{}", "[3]", "2.5", "-0.5"]
        case .array?: ["42", "true", #""x""#, "{}"]
        case .object?: ["42", "true", #""x""#, "[]"]
        case .bool?: ["42", #""true""#, "[]", "{}"]
        case .null?, nil: ["42", "true", "[]", "{}"]
        }
    }

    static func name(_ path: JSONPath) -> String { path.map(\.description).joined(separator: ".") }

    static func encode(_ value: JSONValue) -> [UInt8] {
        // A JSON tree always encodes.
        Array(try! OrderFlowJSON.encoder.encode(value))
    }

    private static func firstRange(of needle: [UInt8], in haystack: [UInt8]) -> Range<Int>? {
        guard needle.count <= haystack.count else { return nil }
        for start in 0...(haystack.count - needle.count) where haystack[start..<(start + needle.count)].elementsEqual(needle) {
            return start..<(start + needle.count)
        }
        return nil
    }
}

extension FuzzBase {
    /// A valid submission and the members intake must check.
    static func submission(_ submission: OrderSubmission) throws -> FuzzBase {
        let line: JSONPath = [.key("lines"), .index(0)]
        return FuzzBase(
            document: try JSONValue(encoding: submission),
            required: [[.key("schemaVersion")], [.key("channel")], [.key("externalOrderId")], [.key("customerId")], [.key("currency")],
                       [.key("lines")], line, line + [.key("sku")], line + [.key("quantity")], line + [.key("unitPrice")], [.key("shipTo")]],
            integers: [[.key("schemaVersion")], line + [.key("quantity")]],
            checkedStrings: [[.key("customerId")], [.key("currency")], line + [.key("sku")], line + [.key("unitPrice")]],
            version: [.key("schemaVersion")], unknownVersions: ["0", "-1", "2", "3", "99", "1000", "2147483648"], type: nil)
    }

    /// A real envelope (as read from an internal topic) with a fresh `id`, and the members a
    /// reader must check: the envelope's own and, for the types listed, those of `data`.
    static func envelope(_ bytes: [UInt8], id: String) throws -> FuzzBase? {
        var document = try OrderFlowJSON.decoder.decode(JSONValue.self, from: Data(bytes))
        document["id"] = .string(id)
        guard let type = document["type"]?.stringValue else { return nil }
        let data: [JSONPath]
        let integers: [JSONPath]
        var misrouted: [String] = []
        switch type {
        case OrderReceived.eventType, OrderReleased.eventType:
            // The same `data` ({order}); review acts on the one, the warehouse on the other.
            misrouted = [type == OrderReceived.eventType ? OrderReleased.eventType : OrderReceived.eventType]
            let line: JSONPath = [.key("data"), .key("order"), .key("lines"), .index(0)]
            data = [[.key("data"), .key("order")], [.key("data"), .key("order"), .key("id")], [.key("data"), .key("order"), .key("lines")],
                    line + [.key("quantity")]]
            integers = [line + [.key("quantity")]]
        case StockReceived.eventType:
            data = [[.key("data"), .key("sku")], [.key("data"), .key("quantity")], [.key("data"), .key("reference")]]
            integers = [[.key("data"), .key("quantity")]]
        default:
            return nil
        }
        let required: [JSONPath] = [[.key("specversion")], [.key("id")], [.key("source")], [.key("type")], [.key("time")], [.key("data")]] + data
        return FuzzBase(
            document: document, required: required.filter { document.value(at: $0) != nil },
            integers: ([[.key("dataversion")]] + integers).filter { document.value(at: $0) != nil },
            checkedStrings: [[.key("type")], [.key("time")]],
            version: [.key("dataversion")], unknownVersions: ["0", "-1", "-100", "50", "99", "1000", "4294967296"], type: [.key("type")],
            misroutedTypes: misrouted)
    }
}
