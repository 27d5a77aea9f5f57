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
}
