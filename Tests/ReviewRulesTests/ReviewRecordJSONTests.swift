import Foundation
@testable import OrderModel
@testable import ReviewRules
import Testing

/// Review's order record writes its own JSON (`ReviewRecordJSON.swift`): exactly the bytes
/// of its `Codable` conformance through Foundation's sorted-keys encoder.
@Suite("Review's order record writes Foundation's bytes")
struct ReviewRecordJSONTests {
    func expectFoundationBytes<T: Encodable>(_ value: T) throws {
        #expect(value is any DirectJSONEncodable, "written directly, not through Encoder")
        let direct = try CompactJSONEncoder().encode(value)
        let foundation = try OrderFlowJSON.encoder.encode(value)
        #expect(String(decoding: direct, as: UTF8.self) == String(decoding: foundation, as: UTF8.self))
    }

    @Test("a record with every member set, and a fresh one; the events around it")
    func record() throws {
        let order = ReviewFixtures.order(requestedDeliveryDate: ReviewFixtures.today)
        var record = ReviewedOrder(order: order)
        try expectFoundationBytes(record)
        record.stage = .awaitingDeposit
        record.requiredApprovals = 2
        record.approvedBy = ["李 \"经理\"", "finance"]
        record.openExposure = Money(Decimal(string: "123456.78")!, "CNY")
        record.paymentsApplied = Money(Decimal(string: "0.10")!, "CNY")
        record.depositRequested = Money(Decimal(string: "300")!, "CNY")
        try expectFoundationBytes(record)
        try expectFoundationBytes(OrderReleased(order: order))
        try expectFoundationBytes(OrderReceived(order: order))
        try expectFoundationBytes(PaymentApplied(ref: order.ref, customerId: order.customerId, amount: Money(5, "CNY")))
        try expectFoundationBytes(ReviewFixtures.today)
    }
}
