import Foundation
import OrderModel
import Testing

private func fixture(_ name: String) throws -> Data {
    let url = try #require(Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Fixtures"))
    return try Data(contentsOf: url)
}

@Suite struct EnvelopeTests {
    @Test func goldenPaymentV1DecodesTolerantly() throws {
        let event = try EventRegistry.standard.decode(Array(fixture("payment.received.v1")))
        let payment = try #require(event.payload as? PaymentReceived)
        #expect(payment.money == Money("1333.40", currency: "CNY")!)
        #expect(payment.orderId == "SO-2026-000123")
        #expect(event.envelope.source == "/bank/feed")
    }

    @Test func goldenStatusV1IsByteStableOnReencode() throws {
        let bytes = try fixture("order.status-changed.v1")
        let event = try EventRegistry.standard.decode(Array(bytes))
        let change = try #require(event.payload as? OrderStatusChanged)
        #expect(change.status == .rejected)
        #expect(change.reasons?.first?.code == .priceBelowPolicy)
        let text = String(decoding: try event.envelope.encoded(), as: UTF8.self)
        #expect(text == String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }

    @Test func timestampsRoundTripToTheMillisecond() {
        for text in ["2026-11-26T21:01:03.903Z", "2026-11-23T09:15:00.000Z", "1969-12-31T23:59:59.999Z", "2026-11-23T09:15:00.5Z"] {
            let date = Timestamp.parse(text)!
            #expect(Timestamp.parse(Timestamp.format(date)) == date || abs(Timestamp.parse(Timestamp.format(date))!.timeIntervalSince(date)) < 0.0005)
            #expect(Timestamp.format(Timestamp.parse(Timestamp.format(date))!) == Timestamp.format(date), "stable on re-encoding")
        }
        #expect(Timestamp.format(Timestamp.parse("2026-11-26T21:01:03.903Z")!) == "2026-11-26T21:01:03.903Z")
        #expect(Timestamp.format(Timestamp.parse("2026-11-23T09:15:00Z")!) == "2026-11-23T09:15:00.000Z")
    }

    @Test func envelopeRoundTripKeepsEveryAttribute() throws {
        let payload = StockReceived(sku: "PUMP-200", quantity: 40, reference: "PO-1")
        let envelope = try EventEnvelope(id: "e-9", source: "/test", subject: "PUMP-200", time: Timestamp.parse("2026-11-23T10:00:00.5Z")!,
                                         correlationid: "x", causationid: "y", payload: payload)
        let decoded = try EventRegistry.standard.decode(Array(envelope.encoded()))
        #expect(decoded.envelope == envelope)
        #expect(decoded.payload as? StockReceived == payload)
        #expect(decoded.envelope.specversion == "1.0" && decoded.envelope.dataversion == 1)
    }

    @Test(arguments: [
        ("not json at all", EventDecodingError.Code.notJSON),
        (#"{"id":"1"}"#, .notAnEnvelope),
        (#"{"specversion":"1.0","id":"1","source":"/x","type":"no.such-type","time":"2026-11-23T10:00:00Z","data":{}}"#, .unknownType),
        (#"{"specversion":"1.0","id":"1","source":"/x","type":"payment.received","time":"2026-11-23T10:00:00Z","dataversion":2,"data":{}}"#, .unsupportedVersion),
        (#"{"specversion":"1.0","id":"1","source":"/x","type":"payment.received","time":"2026-11-23T10:00:00Z","dataversion":1,"data":{"orderId":"SO-1","amount":12.5,"currency":"CNY","reference":"r"}}"#, .invalidData),
    ])
    func badInputIsRefusedWithACode(input: String, code: EventDecodingError.Code) {
        #expect(throws: EventDecodingError.self) { try EventRegistry.standard.decode(Array(input.utf8)) }
        do { _ = try EventRegistry.standard.decode(Array(input.utf8)) } catch { #expect(error.code == code) }
    }

    @Test func olderVersionsAreUpcastStepByStep() throws {
        /// A v3 schema for the test: v1 had `ref`, v2 renamed it to `reference`, v3 added `channel`.
        struct Sample: EventPayload {
            static let eventType = "sample.happened"
            static let dataVersion = 3
            var reference: String
            var channel: String
        }
        var registry = EventRegistry()
        registry.register(Sample.self, upcasters: [
            1: { v1 in var v2 = v1; v2["reference"] = v1["ref"]; v2["ref"] = nil; return v2 },
            2: { v2 in var v3 = v2; v3["channel"] = .string("unknown"); return v3 },
        ])
        let v1 = #"{"specversion":"1.0","id":"1","source":"/x","type":"sample.happened","time":"2026-11-23T10:00:00Z","dataversion":1,"data":{"ref":"R-1"}}"#
        let decoded = try registry.decode(Array(v1.utf8))
        #expect(decoded.payload as? Sample == Sample(reference: "R-1", channel: "unknown"))
        #expect(decoded.envelope.dataversion == 3)
        let v4 = v1.replacingOccurrences(of: #""dataversion":1"#, with: #""dataversion":4"#)
        do { _ = try registry.decode(Array(v4.utf8)); Issue.record("v4 must be refused") } catch { #expect(error.code == .unsupportedVersion) }
    }

    @Test func everyStandardTypeRoundTrips() throws {
        #expect(EventRegistry.standard.eventTypes.count >= 25)
        #expect(EventRegistry.standard.eventTypes.contains("review.decided"))
        #expect(EventRegistry.standard.eventTypes.contains("order.cancellation-requested"))
        #expect(EventRegistry.standard.eventTypes.contains("shipment.tracking-updated"))
    }
}

@Suite struct SubmissionTests {
    @Test func contractExampleIsReadAndUnknownFieldsIgnored() throws {
        let submission = try OrderSubmission.read(Array(fixture("submission.v1")))
        #expect(submission.channel == "tmall-flagship")
        #expect(submission.lines?.first?.quantity?.intValue == 3)
        #expect(submission.lines?.first?.unitPrice?.stringValue == "1180.00")
        #expect(submission.shipTo?.postalCode == "200120")
    }

    @Test(arguments: [
        ("\u{01}\u{02}garbage", "not_json"),
        ("[1,2]", "invalid_shape"),
        (#"{"channel":"x","externalOrderId":"1"}"#, "invalid_shape"),
        (#"{"schemaVersion":2,"channel":"x","externalOrderId":"1"}"#, "unsupported_schema_version"),
        (#"{"schemaVersion":1,"externalOrderId":"1"}"#, "invalid_shape"),
    ])
    func unreadableSubmissionsSayWhy(input: String, reasonPrefix: String) {
        do {
            _ = try OrderSubmission.read(Array(input.utf8))
            Issue.record("\(input) must be refused")
        } catch {
            #expect(error.reason.hasPrefix(reasonPrefix))
        }
    }

    @Test func wrongTypesInsideAreKeptForValidationNotThrown() throws {
        let text = #"{"schemaVersion":1,"channel":"x","externalOrderId":"1","lines":[{"sku":"A","quantity":2.5,"unitPrice":12}],"shipTo":"nope"}"#
        let submission = try OrderSubmission.read(Array(text.utf8))
        #expect(submission.lines?.first?.quantity?.intValue == nil)
        #expect(submission.lines?.first?.unitPrice?.numberValue == 12)
        #expect(submission.shipTo == nil)
    }
}
