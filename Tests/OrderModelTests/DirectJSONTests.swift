import DemoKit
import Foundation
@testable import OrderModel
import Testing

/// The hand-written writers (`DirectJSONEncodable`) give exactly the bytes of the types'
/// `Codable` conformance through Foundation's encoder, for every combination of present
/// and missing optionals, awkward text and amounts.
@Suite("Direct JSON writers write Foundation's bytes")
struct DirectJSONTests {
    static let texts = ["", "plain", "quote \" back \\ slash /", "tab\tnew\nline", "王 芳", "📦", "\u{1}"]
    static let amounts = ["0", "0.00", "1180", "1180.5", "0.005", "-3.20", "12345678901234567890.123", "0.1300"]

    struct Values {
        var random: SplitMix64
        init(seed: UInt64) { random = SplitMix64(seed: seed) }
        mutating func pick<T>(_ values: [T]) -> T { values[Int(random.next() % UInt64(values.count))] }
        mutating func maybe<T>(_ value: T) -> T? { random.next() % 2 == 0 ? value : nil }
        mutating func text() -> String { pick(DirectJSONTests.texts) }
        mutating func decimal() -> Decimal { Decimal(string: pick(DirectJSONTests.amounts))! }
        mutating func date() -> Date { Date(timeIntervalSince1970: 1_796_000_000 + Double(random.next() % 10_000_000) / 1000) }
        mutating func money() -> Money { Money(decimal(), "CNY") }

        mutating func order() -> Order {
            let lines = (0..<Int(random.next() % 4)).map { index in
                OrderLine(lineNumber: index + 1, sku: SKU(text()), quantity: Int(random.next() % 1000) - 10, unitPrice: money(),
                          listPrice: money(), taxRate: DecimalString(decimal()), madeToOrder: random.next() % 2 == 0,
                          leadTimeDays: Int(random.next() % 30), weightKg: maybe(DecimalString(decimal())))
            }
            let address = Address(name: text(), phone: maybe(text()), line1: text(), line2: maybe(text()), city: text(),
                                  region: text(), postalCode: text(), country: text())
            return Order(id: OrderID("SO-2026-\(random.next() % 1_000_000)"), channel: text(), externalOrderId: text(),
                         customerId: CustomerID(text()), customerTier: text(), customerRegion: maybe(text()), currency: "CNY",
                         lines: lines, shipTo: address, requestedDeliveryDate: maybe(LocalDate("2026-12-24")!),
                         paymentTerms: maybe(text()), paymentTermsDays: Int(random.next() % 90), shippingMethod: text(),
                         priority: pick(Priority.allCases), notes: maybe(text()), submittedAt: maybe(date()), receivedAt: date())
        }

        mutating func status() -> OrderStatusChanged {
            let reasons = (0..<Int(random.next() % 3)).map { _ in Reason(pick(ReasonCode.contractV1), text()) }
            let details = Dictionary(uniqueKeysWithValues: (0..<Int(random.next() % 4)).map { index in
                (pick(["carrier", "trackingNumber", "invoiceId", "amountDue", "Zeta", "a_b"]) + "\(index)", text())
            })
            return OrderStatusChanged(ref: OrderRef(orderId: OrderID(text()), channel: text(), externalOrderId: text()),
                                      status: pick([.received, .shipped, .rejected]), reasons: maybe(reasons),
                                      department: text(), at: date(), details: maybe(details))
        }
    }

    func expectFoundationBytes<T: Encodable>(_ value: T) throws {
        let direct = try CompactJSONEncoder().encode(value)
        let foundation = try OrderFlowJSON.encoder.encode(value)
        #expect(String(decoding: direct, as: UTF8.self) == String(decoding: foundation, as: UTF8.self))
    }

    @Test("orders, lines, money, addresses: 300 random ones")
    func orders() throws {
        var values = Values(seed: 7)
        for _ in 0..<300 {
            let order = values.order()
            try expectFoundationBytes(order)
            try expectFoundationBytes(order.ref)
            try expectFoundationBytes(order.totals)
        }
    }

    @Test("status events and their envelopes: 300 random ones")
    func statusEvents() throws {
        var values = Values(seed: 11)
        for _ in 0..<300 {
            let status = values.status()
            try expectFoundationBytes(status)
            let envelope = TypedEnvelope(specversion: "1.0", id: values.text(), source: "/orderflow/test", type: OrderStatusChanged.eventType,
                                         subject: values.maybe(values.text()), time: values.date(),
                                         datacontenttype: values.maybe("application/json"), dataversion: 1,
                                         correlationid: values.maybe(values.text()), causationid: values.maybe(values.text()), data: status)
            try expectFoundationBytes(envelope)
        }
    }

    @Test("an order inside an envelope inside a record: direct and generic writers mixed")
    func mixed() throws {
        struct Record: Codable { var order: Order; var history: [OrderStatusChanged]; var note: String? }
        var values = Values(seed: 13)
        for _ in 0..<50 {
            try expectFoundationBytes(Record(order: values.order(), history: [values.status(), values.status()], note: values.maybe("n")))
        }
    }

    @Test("orders read back directly equal Foundation's reading, the stored totals included")
    func readOrders() throws {
        var values = Values(seed: 17)
        var read = 0
        for _ in 0..<300 {
            var order = values.order()
            order.totals.gross = Money(Decimal(string: "1.23")!, "CNY")   // stored, not recomputed
            let bytes = try OrderFlowJSON.encoder.encode(OrderReleased(order: order))
            guard let expected = try? OrderFlowJSON.decoder.decode(OrderReleased.self, from: bytes) else {
                // Amounts past Decimal's 38 digits are refused by both readers (below).
                #expect(throws: DecodingError.self) { try OrderFlowJSON.decode(OrderReleased.self, from: bytes) }
                continue
            }
            let before = CompactJSONDecoder.compactDecodes.load(ordering: .relaxed)
            let direct = try OrderFlowJSON.decode(OrderReleased.self, from: bytes)
            #expect(CompactJSONDecoder.compactDecodes.load(ordering: .relaxed) > before, "the compact path read it")
            #expect(direct == expected)
            #expect(direct.order == order)
            read += 1
        }
        #expect(read > 200)
    }

    @Test("what the conformance refuses is refused the same way (Foundation's error)")
    func refusals() throws {
        var values = Values(seed: 19)
        let valid = try OrderFlowJSON.encoder.encode(OrderReleased(order: values.order()))
        let text = String(decoding: valid, as: UTF8.self)
        let broken = [
            text.replacingOccurrences(of: "\"channel\":", with: "\"channelX\":"),             // a required key missing
            text.replacingOccurrences(of: "\"paymentTermsDays\":", with: "\"paymentTermsDays\":\"7\",\"x\":"),  // wrong type
            text.replacingOccurrences(of: "\"priority\":\"", with: "\"priority\":\"urgent"),   // unknown priority
            text.replacingOccurrences(of: "\"currency\":\"CNY\"}", with: "\"currency\":null}"), // null where required
            text.replacingOccurrences(of: "\"amount\":\"", with: "\"amount\":\"1e5"),         // not a decimal string
        ]
        for document in broken where document != text {
            let data = Data(document.utf8)
            let foundation = Result { try OrderFlowJSON.decoder.decode(OrderReleased.self, from: data) }
            let compact = Result { try OrderFlowJSON.decode(OrderReleased.self, from: data) }
            switch (foundation, compact) {
            case (.failure(let expected), .failure(let actual)):
                #expect(String(describing: expected) == String(describing: actual))
            case (.success(let expected), .success(let actual)):
                #expect(expected == actual)
            default:
                Issue.record("Foundation and the compact path disagree on \(document.prefix(200))")
            }
        }
    }
}
