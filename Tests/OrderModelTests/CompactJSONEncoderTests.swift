import Foundation
@testable import OrderModel
import Testing

/// `OrderFlowJSON.encode` (the compact encoder) writes exactly the bytes Foundation's
/// configured encoder writes, so nothing on the wire or in the databases changes.
@Suite("Compact JSON encoder writes Foundation's bytes")
struct CompactJSONEncoderTests {
    static let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../docs/contract/examples").standardizedFileURL

    func expectSameBytes<T: Encodable>(_ value: T, _ comment: String = "") throws {
        let compact = try CompactJSONEncoder().encode(value)
        let foundation = try OrderFlowJSON.encoder.encode(value)
        #expect(String(decoding: compact, as: UTF8.self) == String(decoding: foundation, as: UTF8.self), "\(comment)")
    }

    @Test("every contract example, as a JSON tree, as an envelope and as its typed payload")
    func contractExamples() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.examples.path).filter { $0.hasSuffix(".json") }
        #expect(files.count >= 10)
        var typed = 0
        for file in files {
            let data = try Data(contentsOf: Self.examples.appendingPathComponent(file))
            let tree = try OrderFlowJSON.decoder.decode(JSONValue.self, from: data)
            try expectSameBytes(tree, file)
            if let decoded = try? EventRegistry.standard.decode(data) {
                try expectSameBytes(decoded.envelope, file)
                let (head, payload) = try EventRegistry.standard.decodeForProcessing(data)
                let compact = try payload.encodedEnvelope(id: head.id, source: head.source, subject: head.subject, time: head.time,
                                                          correlationid: head.correlationid, causationid: head.causationid)
                let foundationTyped = try Self.foundationEnvelope(payload, head)
                #expect(String(decoding: compact, as: UTF8.self) == String(decoding: foundationTyped, as: UTF8.self), "\(file)")
                typed += 1
            }
            if let submission = try? OrderSubmission.read(data) { try expectSameBytes(submission, file) }
        }
        #expect(typed >= 5, "the examples include envelopes")
    }

    /// The envelope as Foundation's encoder writes it, through the JSON tree as before.
    static func foundationEnvelope<P: EventPayload>(_ payload: P, _ head: InboundEnvelope) throws -> Data {
        try OrderFlowJSON.encoder.encode(EventEnvelope(id: head.id, source: head.source, subject: head.subject, time: head.time,
                                                       correlationid: head.correlationid, causationid: head.causationid, payload: payload))
    }

    @Test("strings with quotes, backslashes, slashes, control characters and non-ASCII text")
    func strings() throws {
        var texts = ["", "plain", "quote \" and backslash \\", "a/b", "tab\tnew\nline\r", "\u{8}\u{c}", "中文 订单", "emoji 📦", "\u{7f}", "\u{2028}\u{2029}"]
        for scalar in 0..<0x20 { texts.append("x\(Character(Unicode.Scalar(UInt8(scalar))))y") }
        for text in texts { try expectSameBytes(text, text.debugDescription) }
        try expectSameBytes(["z": texts, "a": ["k", "v"], "m": []] as [String: [String]], "map of lists")
    }

    struct Sample: Codable {
        var zeta: Int
        var alpha: String?
        var money: Money
        var nested: [Sample]
        var dictionary: [String: Int]
        var flag: Bool
        var time: Date
        var number: Decimal
        var big: Int64
        var nothing: String?
        enum Kind: String, Codable { case one, two }
        var kind: Kind
        var optionalNil: Int?

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(zeta, forKey: .zeta)
            try container.encodeIfPresent(alpha, forKey: .alpha)
            try container.encode(money, forKey: .money)
            try container.encode(nested, forKey: .nested)
            try container.encode(dictionary, forKey: .dictionary)
            try container.encode(flag, forKey: .flag)
            try container.encode(time, forKey: .time)
            try container.encode(number, forKey: .number)
            try container.encode(big, forKey: .big)
            try container.encodeIfPresent(nothing, forKey: .nothing)
            try container.encode(kind, forKey: .kind)
            try container.encode(optionalNil, forKey: .optionalNil)   // explicit null
        }
    }

    @Test("keys out of order, nesting, optionals, explicit nulls, numbers, dates, money")
    func shapes() throws {
        let inner = Sample(zeta: -3, alpha: nil, money: Money(Decimal(string: "12.345")!, "CNY"), nested: [], dictionary: [:],
                           flag: false, time: Date(timeIntervalSince1970: 0.1234), number: Decimal(string: "-0.001")!, big: Int64.min,
                           nothing: nil, kind: .two, optionalNil: nil)
        let outer = Sample(zeta: 1, alpha: "α", money: Money(Decimal(1180), "CNY"), nested: [inner, inner],
                           dictionary: ["b": 2, "a": 1, "ba": 3, "B": 4, "_": 5], flag: true, time: Date(timeIntervalSince1970: 1_796_000_000.5),
                           number: Decimal(string: "123456789.123456789")!, big: Int64.max, nothing: nil, kind: .one, optionalNil: 7)
        try expectSameBytes(outer)
        try expectSameBytes([outer, inner])
        try expectSameBytes(["k": ["x": [1, 2], "a": []]])
    }

    static func order(quantity: Int) -> Order {
        let cny = { (text: String) in Money(Decimal(string: text)!, "CNY") }
        let lines = [
            OrderLine(lineNumber: 1, sku: SKU("PUMP-200"), quantity: quantity, unitPrice: cny("1180.00"), listPrice: cny("1200.00"),
                      taxRate: DecimalString(Decimal(string: "0.13")!), madeToOrder: false, leadTimeDays: 0, weightKg: DecimalString(Decimal(string: "12.5")!)),
            OrderLine(lineNumber: 2, sku: SKU("VALVE-\"9\""), quantity: 1, unitPrice: cny("0.005"), listPrice: cny("1"),
                      taxRate: DecimalString(Decimal(string: "0.09")!), madeToOrder: true, leadTimeDays: 14),
        ]
        return Order(id: OrderID("SO-2026-000001"), channel: "shop/cn", externalOrderId: "EXT-1", customerId: CustomerID("C-1"),
                     customerTier: "A", customerRegion: nil, currency: "CNY", lines: lines,
                     shipTo: Address(name: "王 芳", line1: "1 Road\nBlock 2", city: "Hangzhou", region: "Zhejiang", postalCode: "310000", country: "CN"),
                     requestedDeliveryDate: LocalDate("2026-12-24"), paymentTerms: "NET30", paymentTermsDays: 30, shippingMethod: "standard",
                     priority: .normal, notes: nil, submittedAt: Date(timeIntervalSince1970: 1_796_000_000.123),
                     receivedAt: Date(timeIntervalSince1970: 1_796_000_001.5))
    }

    @Test("orders: Foundation's bytes, the remembered bytes reused only while the order is unchanged")
    func orders() throws {
        let first = Self.order(quantity: 3)
        try expectSameBytes(first, "first encoding")
        try expectSameBytes(first, "remembered")
        try expectSameBytes([first, first], "twice in one value")
        let changed = Self.order(quantity: 4)
        try expectSameBytes(changed, "same id, other content")
        #expect(try CompactJSONEncoder().encode(changed) != (try CompactJSONEncoder().encode(first)))
    }
}
