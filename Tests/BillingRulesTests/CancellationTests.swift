import BillingRules
import DepartmentKit
import Foundation
import OrderModel
import Testing

@Suite("Cancelled orders")
struct CancellationTests {
    func cancellation() -> OrderCancelled {
        OrderCancelled(ref: Fixture.ref, customerId: "C-1001",
                       reasons: [Reason(.cancelledByCustomer, "no longer needed")], cancelledBy: "warehouse")
    }

    @Test("cancelled after the deposit was paid → a credit note for it, once")
    func creditNoteForDeposit() throws {
        let harness = BillingHarness()
        try harness.requestDeposit("33.90")
        try harness.pay("33.90", reference: "DEP-1")

        let outcome = try harness.handle(cancellation())
        let note = try #require(outcome.notices(.creditNote).first)
        #expect(note.amount == Fixture.cny("33.90"))
        #expect(note.orderId == Fixture.orderId)
        #expect(outcome.statusChanges.isEmpty)
        #expect(outcome.events.first?.topic == .status)

        #expect(try harness.handle(cancellation()).events.isEmpty)
    }

    @Test("a payment after the cancellation is refunded at once")
    func paymentAfterCancellation() throws {
        let harness = BillingHarness()
        try harness.requestDeposit("33.90")
        _ = try harness.handle(cancellation())
        let outcome = try harness.pay("33.90", reference: "DEP-1")
        #expect(outcome.notices(.creditNote).map(\.amount) == [Fixture.cny("33.90")])
        #expect(outcome.payloads(DepositPaid.self).isEmpty)
    }

    @Test("a payment for an order cancelled before billing knew anything is refunded too")
    func paymentAfterEarlyCancellation() throws {
        let harness = BillingHarness()
        _ = try harness.handle(cancellation())
        let outcome = try harness.pay("50.00", reference: "BANK-7")
        #expect(outcome.notices(.creditNote).map(\.amount) == [Fixture.cny("50.00")])
    }

    @Test("an unpaid invoice is voided; what it had received is credited")
    func voidsUnpaidInvoice() throws {
        let harness = BillingHarness()
        try harness.dispatch()
        try harness.pay("13.00", reference: "BANK-1")
        let outcome = try harness.handle(cancellation())
        #expect(outcome.notices(.invoiceVoided).map(\.invoiceId) == ["INV-SO-2026-000001-1"])
        #expect(outcome.notices(.creditNote).map(\.amount) == [Fixture.cny("13.00")])
        #expect(try harness.tick(at: Fixture.now.addingTimeInterval(40 * Fixture.day)).events.isEmpty)
    }

    @Test("nothing received, nothing invoiced → nothing to say")
    func nothingToCredit() throws {
        let harness = BillingHarness()
        try harness.requestDeposit("33.90")
        #expect(try harness.handle(cancellation()).events.isEmpty)
    }
}
