import Foundation
import Testing
import DepartmentKit
import OrderModel
@testable import ReviewRules

/// Credit exposure: approved (or pending) unpaid order totals per customer.
struct ReviewExposureTests {
    @Test func exposureRisesOnApprovalAndFallsOnPaymentApplied() throws {
        let state = try ReviewFixtures.store()
        let order = ReviewFixtures.order()
        try ReviewFixtures.handle(OrderReceived(order: order), state)
        #expect(try ReviewFixtures.exposure(state) == ReviewFixtures.cny("4000.20"))

        let payment = try ReviewFixtures.handle(PaymentApplied(ref: order.ref, customerId: "C-1001", amount: ReviewFixtures.cny("1000.20")), state)
        #expect(payment.events.isEmpty)
        #expect(try ReviewFixtures.exposure(state) == ReviewFixtures.cny("3000.00"))
        #expect(try state.get(ReviewedOrder.self, "SO-2026-000001")?.paymentsApplied == ReviewFixtures.cny("1000.20"))
    }

    @Test func paymentNeverTakesExposureBelowZero() throws {
        let state = try ReviewFixtures.store()
        let order = ReviewFixtures.order()
        try ReviewFixtures.handle(OrderReceived(order: order), state)
        try ReviewFixtures.handle(PaymentApplied(ref: order.ref, customerId: "C-1001", amount: ReviewFixtures.cny("9000.00")), state)
        #expect(try ReviewFixtures.exposure(state).isZero)
    }

    @Test func paymentOnOneOrderDoesNotLowerAnothersExposure() throws {
        let state = try ReviewFixtures.store()
        let first = ReviewFixtures.order("SO-2026-000001")
        try ReviewFixtures.handle(OrderReceived(order: first), state)
        try ReviewFixtures.handle(OrderReceived(order: ReviewFixtures.order("SO-2026-000002")), state)
        try ReviewFixtures.handle(PaymentApplied(ref: first.ref, customerId: "C-1001", amount: ReviewFixtures.cny("5000.00")), state)
        #expect(try ReviewFixtures.exposure(state) == ReviewFixtures.cny("4000.20"))
    }

    @Test func paymentForAnOrderNotKnownHereLowersTheCustomersExposure() throws {
        let state = try ReviewFixtures.store()
        try ReviewFixtures.handle(OrderReceived(order: ReviewFixtures.order()), state)
        let stranger = OrderRef(orderId: "SO-2025-000777", channel: "legacy", externalOrderId: "L-1")
        try ReviewFixtures.handle(PaymentApplied(ref: stranger, customerId: "C-1001", amount: ReviewFixtures.cny("1000.00")), state)
        #expect(try ReviewFixtures.exposure(state) == ReviewFixtures.cny("3000.20"))
    }

    @Test func paymentInAnotherCurrencyIsIgnored() throws {
        let state = try ReviewFixtures.store()
        let order = ReviewFixtures.order()
        try ReviewFixtures.handle(OrderReceived(order: order), state)
        let outcome = try ReviewFixtures.handle(PaymentApplied(ref: order.ref, customerId: "C-1001", amount: Money(100, "USD")), state)
        #expect(outcome.logs.map(\.level) == [.warning])
        #expect(try ReviewFixtures.exposure(state) == ReviewFixtures.cny("4000.20"))
    }

    @Test func cancellationByTheWarehouseReleasesWhatIsStillOpen() throws {
        let state = try ReviewFixtures.store()
        let order = ReviewFixtures.order()
        try ReviewFixtures.handle(OrderReceived(order: order), state)
        try ReviewFixtures.handle(PaymentApplied(ref: order.ref, customerId: "C-1001", amount: ReviewFixtures.cny("1000.00")), state)
        try ReviewFixtures.handle(OrderReceived(order: ReviewFixtures.order("SO-2026-000002")), state)
        #expect(try ReviewFixtures.exposure(state) == ReviewFixtures.cny("7000.40"))

        let cancelled = OrderCancelled(ref: order.ref, customerId: "C-1001",
                                       reasons: [Reason(.cancelledByCustomer, "changed mind")], cancelledBy: "warehouse")
        let outcome = try ReviewFixtures.handle(cancelled, state)
        #expect(outcome.events.isEmpty)
        #expect(try ReviewFixtures.exposure(state) == ReviewFixtures.cny("4000.20"))
        #expect(try ReviewFixtures.stage(state) == .cancelled)

        // Reported twice: released once.
        try ReviewFixtures.handle(cancelled, state)
        #expect(try ReviewFixtures.exposure(state) == ReviewFixtures.cny("4000.20"))
    }

    @Test func cancellationWhileHeldReleasesExposure() throws {
        let state = try ReviewFixtures.store()
        try ReviewFixtures.handle(OrderReceived(order: ReviewFixtures.order(lines: [ReviewFixtures.pumps(80)])), state)
        #expect(try ReviewFixtures.exposure(state) == ReviewFixtures.cny("106672.00"))
        try ReviewFixtures.handle(CancellationRequested(orderId: "SO-2026-000001", reason: "no longer needed"), state)
        #expect(try ReviewFixtures.exposure(state).isZero)
    }
}
