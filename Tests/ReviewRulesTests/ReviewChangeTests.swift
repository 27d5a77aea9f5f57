import Foundation
import Testing
import DepartmentKit
import OrderModel
@testable import ReviewRules

/// `order.change-requested` / `order.returned-for-change`: changed orders are reviewed
/// again with their new totals.
struct ReviewChangeTests {
    let id: OrderID = "SO-2026-000001"

    @Test func changeWhilePendingIsReviewedAgainWithNewTotals() throws {
        let state = try ReviewFixtures.store()
        let rules = ReviewRules(config: ReviewConfig(approvalThresholds: [Decimal(50_000), Decimal(100_000)]))
        try ReviewFixtures.handle(OrderReceived(order: ReviewFixtures.order(lines: [ReviewFixtures.pumps(80)])), state, rules: rules)
        try ReviewFixtures.handle(ReviewFixtures.decision(by: "alice"), state, rules: rules)  // 1 of 2
        #expect(try ReviewFixtures.stage(state) == .pendingApproval)

        // Down to 3 pumps: 4000.20 gross, below both thresholds → approved by policy now.
        let change = ChangeRequested(orderId: id, lines: [.init(sku: "PUMP-200", quantity: 3)], requestedDeliveryDate: nil)
        let outcome = try ReviewFixtures.handle(change, state, rules: rules)

        #expect(outcome.statuses == [.approved])
        #expect(outcome.statusChanges.first?.details?["approvedBy"] == "policy")
        let released = try #require(outcome.payloads(OrderReleased.self).first)
        #expect(released.order.lines.map(\.quantity) == [3])
        #expect(released.order.totals.gross == ReviewFixtures.cny("4000.20"))
        #expect(try ReviewFixtures.exposure(state) == ReviewFixtures.cny("4000.20"))
    }

    @Test func changeWhilePendingThatStaysBigAsksForApprovalAgain() throws {
        let state = try ReviewFixtures.store()
        try ReviewFixtures.handle(OrderReceived(order: ReviewFixtures.order(lines: [ReviewFixtures.pumps(80)])), state)
        let change = ChangeRequested(orderId: id, lines: [.init(sku: "PUMP-200", quantity: 90)], requestedDeliveryDate: nil)
        let outcome = try ReviewFixtures.handle(change, state)

        #expect(outcome.statuses == [.pendingApproval])
        #expect(outcome.statusChanges.first?.details?["gross"] == "120006.00")
        #expect(try ReviewFixtures.exposure(state) == ReviewFixtures.cny("120006.00"))
        #expect(try state.get(ReviewedOrder.self, id.rawValue)?.approvedBy == [])
    }

    @Test func changedOrderIsCreditCheckedWithoutItsOldTotal() throws {
        let state = try ReviewFixtures.store(customers: [ReviewFixtures.customer(creditLimit: "150000.00")])
        try ReviewFixtures.handle(OrderReceived(order: ReviewFixtures.order(lines: [ReviewFixtures.pumps(80)])), state)
        // 120006.00 alone fits the limit; with the old 106672.00 it would not.
        let change = ChangeRequested(orderId: id, lines: [.init(sku: "PUMP-200", quantity: 90)], requestedDeliveryDate: nil)
        let outcome = try ReviewFixtures.handle(change, state)
        #expect(outcome.statuses == [.pendingApproval])
        #expect(try ReviewFixtures.exposure(state) == ReviewFixtures.cny("120006.00"))
    }

    @Test func changeCanMakeAnOrderFailItsChecks() throws {
        let state = try ReviewFixtures.store()
        try ReviewFixtures.handle(OrderReceived(order: ReviewFixtures.order(lines: [ReviewFixtures.pumps(80), ReviewFixtures.mixers(1, line: 2)])), state)
        let change = ChangeRequested(orderId: id, lines: nil, requestedDeliveryDate: ReviewFixtures.today.adding(days: 2))
        let outcome = try ReviewFixtures.handle(change, state)
        #expect(outcome.statuses == [.rejected])
        #expect(outcome.reasonCodes == [.deliveryDateInfeasible])
        #expect(try ReviewFixtures.exposure(state).isZero)
    }

    @Test func changeAfterReleaseIsForwardedAndReviewedWhenReturned() throws {
        let state = try ReviewFixtures.store()
        try ReviewFixtures.handle(OrderReceived(order: ReviewFixtures.order()), state)
        let change = ChangeRequested(orderId: id, lines: [.init(sku: "PUMP-200", quantity: 5)], requestedDeliveryDate: nil)

        let forwarded = try ReviewFixtures.handle(change, state)
        #expect(forwarded.statuses.isEmpty)
        #expect(forwarded.topics == [.warehouse])
        #expect(forwarded.payloads(ChangeRequested.self) == [change])
        #expect(try ReviewFixtures.exposure(state) == ReviewFixtures.cny("4000.20"))

        let returned = try ReviewFixtures.handle(OrderReturnedForChange(orderId: id, change: change), state)
        #expect(returned.statuses == [.approved])
        // 5 × 1180.00 = 5900.00 + 767.00 tax
        #expect(returned.payloads(OrderReleased.self).first?.order.totals.gross == ReviewFixtures.cny("6667.00"))
        #expect(try ReviewFixtures.exposure(state) == ReviewFixtures.cny("6667.00"))
    }

    @Test func changeRemovingEveryLineCancels() throws {
        let state = try ReviewFixtures.store()
        try ReviewFixtures.handle(OrderReceived(order: ReviewFixtures.order(lines: [ReviewFixtures.pumps(80)])), state)
        let outcome = try ReviewFixtures.handle(ChangeRequested(orderId: id, lines: [.init(sku: "PUMP-200", quantity: 0)], requestedDeliveryDate: nil), state)

        #expect(outcome.statuses == [.cancelled])
        #expect(outcome.reasonCodes == [.cancelledByCustomer])
        #expect(outcome.payloads(OrderCancelled.self).count == 1)
        #expect(try ReviewFixtures.exposure(state).isZero)
    }

    @Test func removingOneOfTwoLinesKeepsTheOther() throws {
        let state = try ReviewFixtures.store()
        try ReviewFixtures.handle(OrderReceived(order: ReviewFixtures.order(lines: [ReviewFixtures.pumps(3), ReviewFixtures.mixers(1, line: 2)])), state)
        let outcome = try ReviewFixtures.handle(ChangeRequested(orderId: id, lines: [.init(sku: "MIXER-9", quantity: 0)], requestedDeliveryDate: nil), state)
        // Awaiting deposit before; no made-to-order line left → released without a deposit.
        #expect(outcome.statuses == [.approved])
        #expect(outcome.payloads(OrderReleased.self).first?.order.lines.map(\.sku) == ["PUMP-200"])
    }

    @Test func invalidChangeIsRefused() throws {
        let state = try ReviewFixtures.store()
        try ReviewFixtures.handle(OrderReceived(order: ReviewFixtures.order(lines: [ReviewFixtures.pumps(80)])), state)
        let change = ChangeRequested(orderId: id, lines: [.init(sku: "GHOST-1", quantity: 2), .init(sku: "PUMP-200", quantity: -1)],
                                     requestedDeliveryDate: nil)
        let outcome = try ReviewFixtures.handle(change, state)

        let refusal = try #require(outcome.payloads(RequestRefused.self).first)
        #expect(refusal.request == .change)
        #expect(refusal.status == .pendingApproval)
        #expect(Set(refusal.reasons.map(\.code)) == [.unknownSKU, .invalidQuantity])
        #expect(outcome.statuses.isEmpty)
        #expect(try state.get(ReviewedOrder.self, id.rawValue)?.order.lines.map(\.quantity) == [80])
    }

    @Test func changeOfUnknownOrFinalOrderIsRefused() throws {
        let state = try ReviewFixtures.store()
        let change = ChangeRequested(orderId: id, lines: [.init(sku: "PUMP-200", quantity: 1)], requestedDeliveryDate: nil)
        let unknown = try ReviewFixtures.handle(change, state)
        #expect(unknown.payloads(RequestRefused.self).first?.reasons.map(\.code) == [.orderNotOpen])

        try ReviewFixtures.handle(OrderReceived(order: ReviewFixtures.order(lines: [ReviewFixtures.pumps(80)])), state)
        try ReviewFixtures.handle(CancellationRequested(orderId: id, reason: "stop"), state)
        let final = try ReviewFixtures.handle(change, state)
        #expect(final.payloads(RequestRefused.self).first?.status == .cancelled)
    }

    @Test func returnedChangeThatNoLongerAppliesReleasesTheOrderUnchanged() throws {
        let state = try ReviewFixtures.store()
        try ReviewFixtures.handle(OrderReceived(order: ReviewFixtures.order()), state)
        let stale = ChangeRequested(orderId: id, lines: [.init(sku: "GHOST-1", quantity: 1)], requestedDeliveryDate: nil)
        let outcome = try ReviewFixtures.handle(OrderReturnedForChange(orderId: id, change: stale), state)
        #expect(outcome.logs.map(\.level) == [.warning])
        #expect(outcome.payloads(OrderReleased.self).first?.order.lines.map(\.quantity) == [3])
    }
}
