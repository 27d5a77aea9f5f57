import Foundation
import Testing
import DepartmentKit
import OrderModel
@testable import IntakeRules

/// A valid submission becomes a numbered, priced order: `received`, then `order.received`.
struct IntakeAcceptanceTests {
    @Test func validSubmissionIsReceivedAndSentToReview() throws {
        let state = try IntakeFixtures.store()
        let outcome = try IntakeFixtures.submit(IntakeFixtures.submission(), to: state)

        #expect(outcome.statusChanges.map(\.status) == [.received])
        #expect(outcome.statusChanges.first?.orderId == "SO-2026-000001")
        #expect(outcome.statusChanges.first?.department == "intake")
        #expect(outcome.events.map(\.topic) == [.status, .review])
        #expect(outcome.events.map(\.key) == ["SO-2026-000001", "SO-2026-000001"])
        #expect(outcome.events.last?.correlationId == "tmall-flagship:TM-20261123-000042")

        let order = try #require(outcome.receivedOrder)
        #expect(order.id == "SO-2026-000001")
        #expect(order.customerId == "C-1001")
        #expect(order.customerTier == "B")
        #expect(order.receivedAt == IntakeFixtures.now)
        #expect(order.requestedDeliveryDate == LocalDate(year: 2026, month: 12, day: 5))
        #expect(order.submittedAt == Timestamp.parse("2026-11-23T09:14:00Z"))
        #expect(order.shipTo.city == "Shanghai")
        #expect(order.notes == "leave at gate")
    }

    @Test func linesArePricedFromSubmissionAndProduct() throws {
        let state = try IntakeFixtures.store(products: [IntakeFixtures.product(madeToOrder: true)])
        let order = try #require(try IntakeFixtures.submit(IntakeFixtures.submission(), to: state).receivedOrder)

        let line = try #require(order.lines.first)
        #expect(line.lineNumber == 1)
        #expect(line.quantity == 3)
        #expect(line.unitPrice == Money(Decimal(string: "1180.00")!, "CNY"))
        #expect(line.listPrice == Money(Decimal(1200), "CNY"))
        #expect(line.taxRate == IntakeFixtures.decimal("0.13"))
        #expect(line.madeToOrder)
        #expect(line.leadTimeDays == 5)
        #expect(line.weightKg == IntakeFixtures.decimal("12.5"))
        // 3 × 1180.00 = 3540.00 net, 460.20 tax, 4000.20 gross
        #expect(order.totals.gross == Money(Decimal(string: "4000.20")!, "CNY"))
    }

    @Test func orderNumbersFollowTheYearAndSequence() throws {
        let state = try IntakeFixtures.store()
        _ = try IntakeFixtures.submit(IntakeFixtures.submission(externalOrderId: "A"), to: state)
        let second = try IntakeFixtures.submit(IntakeFixtures.submission(externalOrderId: "B"), to: state)
        #expect(second.receivedOrder?.id == "SO-2026-000002")
    }

    @Test func paymentTermsFromCustomerUnlessSubmissionNamesThem() throws {
        let state = try IntakeFixtures.store()
        let fromCustomer = try IntakeFixtures.submit(IntakeFixtures.submission(externalOrderId: "A"), to: state)
        let net45 = try IntakeFixtures.submit(IntakeFixtures.submission(externalOrderId: "B", paymentTerms: "NET45"), to: state)
        let unreadable = try IntakeFixtures.submit(IntakeFixtures.submission(externalOrderId: "C", paymentTerms: "on delivery"), to: state)

        #expect(fromCustomer.receivedOrder?.paymentTermsDays == 30)
        #expect(net45.receivedOrder?.paymentTermsDays == 45)
        #expect(net45.receivedOrder?.paymentTerms == "NET45")
        #expect(unreadable.receivedOrder?.paymentTermsDays == 30)
    }

    @Test func shippingMethodDefaultsToStandard() throws {
        let state = try IntakeFixtures.store()
        let defaulted = try IntakeFixtures.submit(IntakeFixtures.submission(externalOrderId: "A"), to: state)
        let express = try IntakeFixtures.submit(IntakeFixtures.submission(externalOrderId: "B", shippingMethod: "express"), to: state)
        #expect(defaulted.receivedOrder?.shippingMethod == "standard")
        #expect(express.receivedOrder?.shippingMethod == "express")
    }

    @Test func explicitPriorityWins() throws {
        let state = try IntakeFixtures.store(customers: [IntakeFixtures.customer(tier: "C")])
        let outcome = try IntakeFixtures.submit(IntakeFixtures.submission(priority: "rush"), to: state)
        #expect(outcome.receivedOrder?.priority == .rush)
        #expect(outcome.statusChanges.first?.details?["priority"] == "rush")
    }

    @Test(arguments: [
        ("A", 3, Priority.high),        // tier A
        ("B", 3, Priority.normal),      // plain
        ("C", 3, Priority.low),         // tier C
        ("B", 150, Priority.high),      // 150 × 1180.00 × 1.13 = 200010.00 ≥ 200000.00
        ("C", 150, Priority.high),      // value beats tier C
    ])
    func priorityDerivedFromTierAndValue(tier: String, quantity: Int, expected: Priority) throws {
        let state = try IntakeFixtures.store(customers: [IntakeFixtures.customer(tier: tier)])
        let submission = IntakeFixtures.submission(lines: [IntakeFixtures.line(quantity: .number(Decimal(quantity)))])
        let outcome = try IntakeFixtures.submit(submission, to: state)
        #expect(outcome.receivedOrder?.priority == expected)
    }

    @Test func priorityRulesAreConfigurable() throws {
        let state = try IntakeFixtures.store(customers: [IntakeFixtures.customer(tier: "B")])
        let rules = IntakeRules(config: IntakeConfig(highPriorityTiers: ["B"]))
        let outcome = try IntakeFixtures.submit(IntakeFixtures.submission(), to: state, rules: rules)
        #expect(outcome.receivedOrder?.priority == .high)
    }

    @Test func handlesOrderSubmitted() {
        #expect(IntakeRules().handledEventTypes == ["order.submitted"])
        #expect(IntakeRules().department == "intake")
    }
}
