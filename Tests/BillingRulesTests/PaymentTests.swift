import BillingRules
import DepartmentKit
import Foundation
import OrderModel
import Testing

@Suite("Payments")
struct PaymentTests {
    @Test("a partial payment, then the rest → partially_paid, then paid; each amount applied for review")
    func partialThenRest() throws {
        let harness = BillingHarness()
        try harness.dispatch()

        let first = try harness.pay("40.00", reference: "BANK-1")
        #expect(first.statusChanges.map(\.status) == [.partiallyPaid])
        #expect(first.statusChanges.first?.details?["amountPaid"] == "40.00")
        #expect(first.statusChanges.first?.details?["amountOpen"] == "73.00")
        let applied = try #require(first.events.first { $0.type == PaymentApplied.eventType })
        #expect(applied.topic == .review)
        #expect(applied.payload(as: PaymentApplied.self)?.amount == Fixture.cny("40.00"))
        #expect(applied.payload(as: PaymentApplied.self)?.customerId == "C-1001")

        let rest = try harness.pay("73.00", reference: "BANK-2")
        #expect(rest.statusChanges.map(\.status) == [.paid])
        #expect(rest.statusChanges.first?.details?["amountPaid"] == "113.00")
        #expect(rest.payloads(PaymentApplied.self).map(\.amount) == [Fixture.cny("73.00")])
        #expect(rest.notices(.overpayment).isEmpty)
    }

    @Test("overpayment: paid, the surplus is reported and held as credit")
    func overpayment() throws {
        let harness = BillingHarness()
        try harness.dispatch()
        let outcome = try harness.pay("120.00", reference: "BANK-1")

        #expect(outcome.statusChanges.map(\.status) == [.paid])
        #expect(outcome.payloads(PaymentApplied.self).map(\.amount) == [Fixture.cny("113.00")])
        let notice = try #require(outcome.notices(.overpayment).first)
        #expect(notice.amount == Fixture.cny("7.00"))
        #expect(outcome.events.first { $0.type == BillingNotice.eventType }?.topic == .status)

        let more = try harness.pay("5.00", reference: "BANK-2")
        #expect(more.statusChanges.isEmpty)
        #expect(more.notices(.overpayment).map(\.amount) == [Fixture.cny("5.00")])
        #expect(try harness.account()?.credit(in: "CNY") == Fixture.cny("12.00"))
    }

    @Test("money received before the invoice is applied when the invoice comes")
    func prepaymentAppliedOnInvoice() throws {
        let harness = BillingHarness()
        let early = try harness.pay("50.00", reference: "PRE-1", at: Fixture.now.addingTimeInterval(-3600))
        #expect(early.events.isEmpty)

        let outcome = try harness.dispatch()
        #expect(outcome.statusChanges.map(\.status) == [.invoiced, .partiallyPaid])
        #expect(outcome.statusChanges.last?.details?["amountOpen"] == "63.00")
        #expect(outcome.payloads(PaymentApplied.self).map(\.amount) == [Fixture.cny("50.00")])
    }

    @Test("a prepayment above the invoice: invoiced, paid and an overpayment notice at once")
    func prepaymentAboveInvoice() throws {
        let harness = BillingHarness()
        try harness.pay("150.00", reference: "PRE-1")
        let outcome = try harness.dispatch()
        #expect(outcome.statusChanges.map(\.status) == [.invoiced, .paid])
        #expect(outcome.notices(.overpayment).map(\.amount) == [Fixture.cny("37.00")])
    }

    @Test("the same bank payment sent twice is booked once")
    func duplicatePayment() throws {
        let harness = BillingHarness()
        try harness.dispatch()
        try harness.pay("40.00", reference: "BANK-1")
        let again = try harness.pay("40.00", reference: "BANK-1")
        #expect(again.events.isEmpty)
        #expect(try harness.account()?.invoices.first?.paid == Fixture.cny("40.00"))
    }

    @Test("a payment that is not positive is refused (dead letter)")
    func nonPositivePayment() throws {
        let harness = BillingHarness()
        #expect(throws: RuleViolation.self) { try harness.pay("0.00", reference: "BANK-0") }
        #expect(throws: RuleViolation.self) { try harness.pay("-5.00", reference: "BANK-0") }
    }

    @Test("a payment in another currency is not applied: refused (refund due) in that currency")
    func wrongCurrency() throws {
        let harness = BillingHarness()
        try harness.dispatch()
        let outcome = try harness.pay("113.00", currency: "USD", reference: "SWIFT-9")

        #expect(outcome.statusChanges.isEmpty)
        #expect(outcome.payloads(PaymentApplied.self).isEmpty)
        let notice = try #require(outcome.notices(.paymentRefused).first)
        #expect(notice.amount == Money(113, "USD"))
        #expect(notice.message.contains("SWIFT-9"))
        #expect(outcome.logs.contains { $0.level == .warning })
        #expect(try harness.account()?.outstanding(in: "CNY") == Fixture.cny("113.00"))
    }

    @Test("a prepayment in another currency is refused once the order's currency is known")
    func wrongCurrencyPrepayment() throws {
        let harness = BillingHarness()
        try harness.pay("100.00", currency: "EUR", reference: "SEPA-1")
        let outcome = try harness.dispatch()
        #expect(outcome.statusChanges.map(\.status) == [.invoiced])
        #expect(outcome.notices(.paymentRefused).map(\.amount) == [Money(100, "EUR")])
        #expect(outcome.payloads(PaymentApplied.self).isEmpty)
    }
}
