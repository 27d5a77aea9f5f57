import DepartmentKit
import Foundation
import Kafka
import OrderModel
import ServiceKit
import Testing

/// The CloudEvents Kafka protocol binding's rules (cloudevents/spec,
/// bindings/kafka-protocol-binding.md §3): how a receiver tells the two content modes apart,
/// and how a binary-mode message maps to an event.
@Suite struct CloudEventsBindingTests {
    func header(_ key: String, _ value: String) -> KafkaHeader { KafkaHeader(key: key, value: value) }

    /// A complete binary-mode `stock.received`, as a CloudEvents SDK would send it.
    func binaryHeaders(id: String = "ext-1", contentType: String? = "application/json") -> [KafkaHeader] {
        var headers = [
            header("ce_specversion", "1.0"), header("ce_id", id), header("ce_source", "/erp/receiving"),
            header("ce_type", "stock.received"), header("ce_time", "2026-12-02T08:00:00.250Z"),
            header("ce_subject", "PUMP-200"), header("ce_dataversion", "1"), header("ce_correlationid", "corr-9"),
            header("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"),
        ]
        if let contentType { headers.append(header("content-type", contentType)) }
        return headers
    }

    let stockData = Array(#"{"sku":"PUMP-200","quantity":5,"reference":"GR-1"}"#.utf8)

    // MARK: Mode detection (§3: "inspecting the content-type header")

    @Test func aCloudEventsContentTypeMeansStructuredModeMatchedCaseInsensitively() {
        for value in ["application/cloudevents+json", "application/cloudevents+json; charset=UTF-8", "Application/CloudEvents+JSON",
                      "APPLICATION/CLOUDEVENTS+JSON;charset=utf-8"] {
            #expect(CloudEventsKafka.mode(of: [header("content-type", value)]) == .structured, "\(value)")
        }
    }

    @Test func aCloudEventsContentTypeWinsOverCeHeaders() {
        // §3.3.3: structured mode MAY carry the binary-mode headers too; the content-type decides.
        let headers = binaryHeaders(contentType: "application/cloudevents+json")
        #expect(CloudEventsKafka.mode(of: headers) == .structured)
    }

    @Test func otherEventFormatsAreRecognisedButNotRead() {
        #expect(CloudEventsKafka.mode(of: [header("content-type", "application/cloudevents+avro")]) == .unsupportedFormat("application/cloudevents+avro"))
        // The Kafka binding has no batch mode.
        #expect(CloudEventsKafka.mode(of: [header("content-type", "application/cloudevents-batch+json")])
                == .unsupportedFormat("application/cloudevents-batch+json"))
        #expect(CloudEventsKafka.mode(of: [header("content-type", "application/cloudevents+jsonx")]) == .unsupportedFormat("application/cloudevents+jsonx"))
    }

    @Test func ceSpecversionWithoutACloudEventsContentTypeMeansBinaryMode() {
        #expect(CloudEventsKafka.mode(of: binaryHeaders()) == .binary)
        #expect(CloudEventsKafka.mode(of: binaryHeaders(contentType: nil)) == .binary)
        #expect(CloudEventsKafka.mode(of: binaryHeaders(contentType: "application/vnd.erp+json")) == .binary)
    }

    @Test func messagesWithoutEitherAreReadAsStructuredEnvelopes() {
        #expect(CloudEventsKafka.mode(of: []) == .undeclared)
        // What OrderFlow wrote before structured mode was marked: ce_type/ce_id, no ce_specversion.
        #expect(CloudEventsKafka.mode(of: [header("ce_type", "order.approved"), header("ce_id", "x")]) == .undeclared)
        #expect(CloudEventsKafka.mode(of: [header("content-type", "application/json")]) == .undeclared)
    }

    @Test func orderFlowWritesStructuredModeAndNoCeHeaders() {
        #expect(CloudEventsKafka.structuredHeaders == ["content-type": "application/cloudevents+json"])
        let headers = CloudEventsKafka.structuredHeaders.map { KafkaHeader(key: $0.key, value: $0.value) }
        #expect(CloudEventsKafka.mode(of: headers) == .structured)
        #expect(!headers.contains { $0.key.hasPrefix("ce_") })
    }

    // MARK: Binary mode → envelope (§3.2: content-type is datacontenttype, value is data, ce_ headers are attributes)

    @Test func binaryModeAttributesComeFromCeHeadersAndDataFromTheValue() throws {
        let envelope = try CloudEventsKafka.envelope(binary: binaryHeaders(), value: stockData)
        #expect(envelope.specversion == "1.0" && envelope.id == "ext-1" && envelope.source == "/erp/receiving")
        #expect(envelope.type == "stock.received" && envelope.subject == "PUMP-200" && envelope.dataversion == 1)
        #expect(envelope.time == Timestamp.parse("2026-12-02T08:00:00.250Z"))
        #expect(envelope.correlationid == "corr-9" && envelope.causationid == nil)
        #expect(envelope.datacontenttype == "application/json")
        #expect(envelope.data == .object(["sku": .string("PUMP-200"), "quantity": .number(5), "reference": .string("GR-1")]))
        let decoded = try EventRegistry.standard.decode(envelope)
        #expect(decoded.payload as? StockReceived == StockReceived(sku: "PUMP-200", quantity: 5, reference: "GR-1"))
    }

    @Test func binaryModeWithoutContentTypeOrDataversionTakesTheDefaults() throws {
        let headers = binaryHeaders(contentType: nil).filter { $0.key != "ce_dataversion" }
        let envelope = try CloudEventsKafka.envelope(binary: headers, value: stockData)
        #expect(envelope.dataversion == 1 && envelope.datacontenttype == "application/json")
    }

    @Test func binaryModeKeepsAJSONContentTypeWithParameters() throws {
        let envelope = try CloudEventsKafka.envelope(binary: binaryHeaders(contentType: "application/json; charset=utf-8"), value: stockData)
        #expect(envelope.datacontenttype == "application/json; charset=utf-8")
    }

    @Test func binaryModeRefusesWhatStructuredModeRefusesWithTheSameReasons() {
        func code(_ headers: [KafkaHeader], _ value: [UInt8]? = nil) -> String? {
            do {
                _ = try CloudEventsKafka.envelope(binary: headers, value: value ?? stockData)
                return nil
            } catch { return error.code.rawValue }
        }
        for required in ["ce_id", "ce_source", "ce_type", "ce_time", "ce_specversion"] {
            #expect(code(binaryHeaders().filter { $0.key != required }) == "invalid_envelope", "\(required)")
        }
        #expect(code(binaryHeaders().map { $0.key == "ce_specversion" ? header("ce_specversion", "0.3") : $0 }) == "invalid_envelope")
        #expect(code(binaryHeaders().map { $0.key == "ce_time" ? header("ce_time", "yesterday") : $0 }) == "invalid_envelope")
        #expect(code(binaryHeaders().map { $0.key == "ce_dataversion" ? header("ce_dataversion", "two") : $0 }) == "invalid_envelope")
        #expect(code(binaryHeaders(contentType: "application/avro")) == "unsupported_content_type")
        #expect(code(binaryHeaders(), Array("not json".utf8)) == "not_json")
    }

    // MARK: The inbox decoder

    let decoder = InboxDecoder(topics: TopicNames(prefix: "p."))

    func message(_ topic: String, _ value: [UInt8], headers: [KafkaHeader]) -> KafkaMessage {
        KafkaMessage(topic: topic, partition: 1, offset: 3, key: Array("PUMP-200".utf8), value: value, headers: headers)
    }

    @Test func theInboxReadsBinaryModeEventsWithTheSendersId() throws {
        guard case .event(let event) = decoder.decode(message("p.orders.warehouse", stockData, headers: binaryHeaders()), receivedAt: Date()) else {
            Issue.record("binary-mode stock.received was not read")
            return
        }
        #expect(event.id == "ext-1" && event.type == "stock.received" && event.source == "/erp/receiving" && event.correlationId == "corr-9")
        #expect(event.payload as? StockReceived == StockReceived(sku: "PUMP-200", quantity: 5, reference: "GR-1"))
    }

    @Test func theInboxReadsStructuredModeWithAndWithoutTheHeader() throws {
        let envelope = try EventEnvelope(id: "ext-2", source: "/erp", subject: "PUMP-200", time: Date(), correlationid: nil, causationid: nil,
                                         payload: StockReceived(sku: "PUMP-200", quantity: 2, reference: "GR-2"))
        let bytes = Array(try envelope.encoded())
        for headers in [[header("content-type", "application/cloudevents+json; charset=UTF-8")], []] {
            guard case .event(let event) = decoder.decode(message("p.orders.warehouse", bytes, headers: headers), receivedAt: Date()) else {
                Issue.record("structured envelope with headers \(headers) was not read")
                continue
            }
            #expect(event.id == "ext-2" && event.type == "stock.received")
        }
    }

    @Test func theInboxDeadLettersFormatsItCannotRead() {
        let item = decoder.decode(message("p.orders.warehouse", stockData, headers: [header("content-type", "application/cloudevents+avro")]), receivedAt: Date())
        guard case .deadLetter(let reason) = item else { Issue.record("an avro event format was read"); return }
        #expect(reason.code == "unsupported_content_type")
        let binary = decoder.decode(message("p.orders.warehouse", stockData, headers: binaryHeaders().filter { $0.key != "ce_id" }), receivedAt: Date())
        guard case .deadLetter(let missing) = binary else { Issue.record("a binary event without ce_id was read"); return }
        #expect(missing.code == "invalid_envelope" && missing.detail.contains("ce_id"))
    }

    @Test func aSubmissionMayComeInBinaryModeButNotWrappedInAnEnvelope() throws {
        let submission = Array(#"{"schemaVersion":1,"channel":"shop","externalOrderId":"X-1","lines":[]}"#.utf8)
        let headers = [header("ce_specversion", "1.0"), header("ce_id", "sub-1"), header("ce_source", "/shop"),
                       header("ce_type", "order.submitted"), header("content-type", "application/json")]
        guard case .event(let event) = decoder.decode(message("p.orders.submitted", submission, headers: headers), receivedAt: Date()) else {
            Issue.record("a binary-mode submission was not read")
            return
        }
        // The id is still the position and content (the contract gives submissions no event id).
        #expect(event.id.hasPrefix("p.orders.submitted/1/3/") && event.payload is OrderSubmitted)
        let wrapped = decoder.decode(message("p.orders.submitted", submission, headers: [header("content-type", "application/cloudevents+json")]),
                                     receivedAt: Date())
        guard case .deadLetter(let reason) = wrapped else { Issue.record("a structured-mode submission was read"); return }
        #expect(reason.code == "invalid_shape" && reason.detail.contains("structured-mode CloudEvent"))
    }

    @Test func idAndTypeOfAnEnvelopeAreReadFromItsBytes() throws {
        let envelope = try EventEnvelope(id: "e-7", source: "/x", subject: nil, time: Date(), correlationid: nil, causationid: nil,
                                         payload: StockReceived(sku: "S", quantity: 1, reference: "R"))
        let found = CloudEventsKafka.idAndType(ofEnvelope: Array(try envelope.encoded()))
        #expect(found?.id == "e-7" && found?.type == "stock.received")
        #expect(CloudEventsKafka.idAndType(ofEnvelope: Array("nope".utf8)) == nil)
    }
}
