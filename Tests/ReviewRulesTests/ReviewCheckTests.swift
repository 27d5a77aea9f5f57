import Foundation
import Testing
import DepartmentKit
import OrderModel
@testable import ReviewRules

/// `order.received`: all checks run, all failures collected; a clean small order is
/// approved and released at once.
struct ReviewCheckTests {
    @Test func cleanSmallOrderIsApprovedAndReleased() throws {
        let state = try ReviewFixtures.store()
        let outcome = try ReviewFixtures.handle(OrderReceived(order: ReviewFixtures.order()), state)

        #expect(outcome.statuses == [.approved])
        #expect(outcome.statusChanges.first?.department == "review")
        #expect(outcome.statusChanges.first?.details?["approvedBy"] == "policy")
        #expect(outcome.topics == [.status, .warehouse])
        let released = try #require(outcome.payloads(OrderReleased.self).first)
        #expect(released.order.id == "SO-2026-000001")
        #expect(outcome.events.last?.key == "SO-2026-000001")
        #expect(outcome.events.last?.correlationId == "tmall-flagship:EXT-SO-2026-000001")
        #expect(try ReviewFixtures.stage(state) == .released)
    }

    @Test func lineBelowFloorPriceIsRejectedWithDiscountDepth() throws {
        let state = try ReviewFixtures.store()
        let order = ReviewFixtures.order(lines: [ReviewFixtures.pumps(3), ReviewFixtures.pumps(2, at: "900.00", line: 2)])
        let outcome = try ReviewFixtures.handle(OrderReceived(order: order), state)

        #expect(outcome.statuses == [.rejected])
        #expect(outcome.reasonCodes == [.priceBelowPolicy])
        #expect(outcome.statusChanges.first?.details?["maxDiscountPercent"] == "25.00")
        #expect(outcome.payloads(OrderReleased.self).isEmpty)
        #expect(try ReviewFixtures.exposure(state).isZero)
    }

    @Test func priceAtFloorPasses() throws {
        let state = try ReviewFixtures.store()
        let outcome = try ReviewFixtures.handle(OrderReceived(order: ReviewFixtures.order(lines: [ReviewFixtures.pumps(1, at: "1080.00")])), state)
        #expect(outcome.statuses == [.approved])
    }

    @Test func creditLimitCountsOpenExposure() throws {
        let state = try ReviewFixtures.store(customers: [ReviewFixtures.customer(creditLimit: "6000.00")])
        let first = try ReviewFixtures.handle(OrderReceived(order: ReviewFixtures.order("SO-2026-000001")), state)
        let second = try ReviewFixtures.handle(OrderReceived(order: ReviewFixtures.order("SO-2026-000002")), state)

        #expect(first.statuses == [.approved])
        #expect(second.statuses == [.rejected])
        #expect(second.reasonCodes == [.creditLimitExceeded])
        #expect(second.statusChanges.first?.details?["openExposure"] == "4000.20")
        #expect(second.statusChanges.first?.details?["creditLimit"] == "6000.00")
        #expect(try ReviewFixtures.exposure(state) == ReviewFixtures.cny("4000.20"))
    }

    @Test func madeToOrderLinesNeedTheirLeadTime() throws {
        let state = try ReviewFixtures.store()
        let tooSoon = ReviewFixtures.order("SO-2026-000001", lines: [ReviewFixtures.mixers(1)],
                                           requestedDeliveryDate: ReviewFixtures.today.adding(days: 19))
        let inTime = ReviewFixtures.order("SO-2026-000002", lines: [ReviewFixtures.mixers(1)],
                                          requestedDeliveryDate: ReviewFixtures.today.adding(days: 20))
        let rejected = try ReviewFixtures.handle(OrderReceived(order: tooSoon), state)
        let accepted = try ReviewFixtures.handle(OrderReceived(order: inTime), state)

        #expect(rejected.reasonCodes == [.deliveryDateInfeasible])
        #expect(rejected.statusChanges.first?.details?["earliestDeliveryDate"] == "2026-12-13")
        #expect(accepted.statuses.first == .approved)
    }

    @Test func linesInStockAreTheWarehousesBusiness() throws {
        let state = try ReviewFixtures.store()
        // PUMP-200 has 5 days lead time, but is not made to order: tomorrow is fine here.
        let order = ReviewFixtures.order(requestedDeliveryDate: ReviewFixtures.today.adding(days: 1))
        #expect(try ReviewFixtures.handle(OrderReceived(order: order), state).statuses == [.approved])
    }

    @Test func deliveryDateInThePastIsInfeasible() throws {
        let state = try ReviewFixtures.store()
        let order = ReviewFixtures.order(requestedDeliveryDate: ReviewFixtures.today.adding(days: -1))
        #expect(try ReviewFixtures.handle(OrderReceived(order: order), state).reasonCodes == [.deliveryDateInfeasible])
    }

    @Test func allFailuresAreCollected() throws {
        let state = try ReviewFixtures.store(customers: [ReviewFixtures.customer(creditLimit: "1000.00")])
        let order = ReviewFixtures.order(lines: [ReviewFixtures.pumps(3, at: "1000.00"), ReviewFixtures.mixers(1, at: "4000.00", line: 2)],
                                         requestedDeliveryDate: ReviewFixtures.today.adding(days: 3))
        let outcome = try ReviewFixtures.handle(OrderReceived(order: order), state)

        #expect(outcome.statuses == [.rejected])
        #expect(outcome.reasonCodes == [.priceBelowPolicy, .priceBelowPolicy, .creditLimitExceeded, .deliveryDateInfeasible])
        #expect(outcome.statusChanges.first?.details?["maxDiscountPercent"] == "20.00")
    }

    @Test func customerBlockedSinceIntakeIsRejected() throws {
        let state = try ReviewFixtures.store(customers: [ReviewFixtures.customer(blocked: true)])
        let outcome = try ReviewFixtures.handle(OrderReceived(order: ReviewFixtures.order()), state)
        #expect(outcome.reasonCodes == [.customerBlocked])
    }

    @Test func orderReceivedTwiceIsReviewedOnce() throws {
        let state = try ReviewFixtures.store()
        try ReviewFixtures.handle(OrderReceived(order: ReviewFixtures.order()), state)
        let again = try ReviewFixtures.handle(OrderReceived(order: ReviewFixtures.order()), state)
        #expect(again.events.isEmpty)
        #expect(again.logs.map(\.level) == [.notice])
        #expect(try ReviewFixtures.exposure(state) == ReviewFixtures.cny("4000.20"))
    }

    @Test func handlesTheReviewInbox() {
        #expect(ReviewRules().handledEventTypes == [
            "order.received", "review.decided", "deposit.paid", "payment.applied", "order.cancellation-requested",
            "order.cancelled", "order.change-requested", "order.returned-for-change",
        ])
    }
}
