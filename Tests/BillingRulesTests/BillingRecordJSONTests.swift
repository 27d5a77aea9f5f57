@testable import BillingRules
import Foundation
@testable import OrderModel
import Testing

/// Billing's ledger writes its own JSON (`BillingRecordJSON.swift`): exactly the bytes of its
/// `Codable` conformance through Foundation's sorted-keys encoder, fully populated and sparse.
@Suite("Billing's ledger writes Foundation's bytes")
struct BillingRecordJSONTests {
    func expectFoundationBytes<T: Encodable>(_ value: T) throws {
        #expect(value is any DirectJSONEncodable, "written directly, not through Encoder")
        let direct = try CompactJSONEncoder().encode(value)
        let foundation = try OrderFlowJSON.encoder.encode(value)
        #expect(String(decoding: direct, as: UTF8.self) == String(decoding: foundation, as: UTF8.self))
    }

    @Test("a ledger with every member set, and a fresh one")
    func ledger() throws {
        let order = Fixture.order()
        var account = BillingAccount(orderId: order.id)
        try expectFoundationBytes(account)
        account.ref = order.ref
        account.customerId = order.customerId
        account.currency = "CNY"
        account.paymentTermsDays = 30
        account.depositRequested = Money(Decimal(string: "300.50")!, "CNY")
        account.reportedDepositPaid = true
        var payment = ReceivedPayment(reference: "PAY \"1\"", amount: Money(Decimal(string: "1180.5")!, "CNY"),
                                      receivedAt: Fixture.now.addingTimeInterval(0.123))
        payment.refused = true
        account.payments = [payment, ReceivedPayment(reference: "王", amount: Money(10, "CNY"), receivedAt: Fixture.now)]
        var invoice = Invoice(id: "INV-1", shipmentId: "SH-1", totals: order.totals, dueDate: LocalDate(year: 2026, month: 12, day: 23))
        invoice.paid = Money(Decimal(string: "0.01")!, "CNY")
        invoice.voided = true
        invoice.reportedOverdue = true
        invoice.lastReminderAt = Fixture.now.addingTimeInterval(86_400.5)
        invoice.escalated = true
        account.invoices = [invoice, Invoice(id: "INV-2", shipmentId: "SH-2", totals: order.totals, dueDate: LocalDate(year: 2027, month: 1, day: 2))]
        account.refunded = Decimal(string: "12.345")!
        account.reportedSurplus = Decimal(string: "-0.5")!
        account.delivered = true
        account.disputed = true
        account.cancelled = true
        account.completed = true
        try expectFoundationBytes(account)
    }
}
