import BillingRules
import DepartmentKit
import Foundation
import OrderModel
import Testing

@Suite("Deposits")
struct DepositTests {
    @Test("a deposit covered by two partial payments → deposit.paid once, to review")
    func twoPartialPayments() throws {
        let harness = BillingHarness()
        #expect(try harness.requestDeposit("33.90").events.isEmpty)

        let first = try harness.pay("20.00", reference: "DEP-1")
        #expect(first.events.isEmpty)
        let second = try harness.pay("13.90", reference: "DEP-2")
        let event = try #require(second.events.first)
        #expect(event.topic == .review)
        #expect(event.key == "SO-2026-000001")
        #expect(event.payload(as: DepositPaid.self)?.amount == Fixture.cny("33.90"))

        let third = try harness.pay("10.00", reference: "DEP-3")
        #expect(third.payloads(DepositPaid.self).isEmpty)
    }

    @Test("money received before the request already covers it → deposit.paid at once")
    func prepaidDeposit() throws {
        let harness = BillingHarness()
        try harness.pay("40.00", reference: "PRE-1")
        let outcome = try harness.requestDeposit("33.90")
        #expect(outcome.payloads(DepositPaid.self).map(\.amount) == [Fixture.cny("40.00")])
    }

    @Test("the deposit is applied to the invoice: invoiced, then partially_paid")
    func depositAppliedOnInvoice() throws {
        let harness = BillingHarness()
        try harness.requestDeposit("33.90")
        try harness.pay("33.90", reference: "DEP-1")
        let outcome = try harness.dispatch()
        #expect(outcome.statusChanges.map(\.status) == [.invoiced, .partiallyPaid])
        #expect(outcome.statusChanges.last?.details?["amountPaid"] == "33.90")
        #expect(outcome.statusChanges.last?.details?["amountOpen"] == "79.10")
        #expect(outcome.payloads(PaymentApplied.self).map(\.amount) == [Fixture.cny("33.90")])
    }
}
