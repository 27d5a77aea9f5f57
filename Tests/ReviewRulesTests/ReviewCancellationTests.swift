import Foundation
import Testing
import DepartmentKit
import OrderModel
@testable import ReviewRules

/// `order.cancellation-requested`: cancelled here while review holds the order,
/// forwarded once released, refused when there is nothing open to cancel.
struct ReviewCancellationTests {
    @Test func cancellationWhilePendingCancels() throws {
        let state = try ReviewFixtures.store()
        try ReviewFixtures.handle(OrderReceived(order: ReviewFixtures.order(lines: [ReviewFixtures.pumps(80)])), state)
        let outcome = try ReviewFixtures.handle(
            CancellationRequested(orderId: "SO-2026-000001", reason: "found a cheaper supplier", requestedBy: "sales:li"), state)

        #expect(outcome.statuses == [.cancelled])
        let reason = try #require(outcome.statusChanges.first?.reasons?.first)
        #expect(reason.code == .cancelledByCustomer)
        #expect(reason.message == "found a cheaper supplier")
        #expect(outcome.statusChanges.first?.details?["requestedBy"] == "sales:li")
        #expect(outcome.topics == [.status, .billing])
        let notice = try #require(outcome.payloads(OrderCancelled.self).first)
        #expect(notice.cancelledBy == "review")
        #expect(notice.reasons.map(\.code) == [.cancelledByCustomer])
        #expect(try ReviewFixtures.stage(state) == .cancelled)
    }

    @Test func cancellationWhileAwaitingDepositCancelsAndTellsBilling() throws {
        let state = try ReviewFixtures.store()
        try ReviewFixtures.handle(OrderReceived(order: ReviewFixtures.order(lines: [ReviewFixtures.mixers(1)])), state)
        let outcome = try ReviewFixtures.handle(CancellationRequested(orderId: "SO-2026-000001", reason: nil), state)

        #expect(outcome.statuses == [.cancelled])
        #expect(outcome.statusChanges.first?.reasons?.first?.message == "cancelled at the customer's request")
        #expect(outcome.events.filter { $0.topic == .billing }.count == 1)
        #expect(outcome.payloads(OrderCancelled.self).first?.ref.orderId == "SO-2026-000001")
        #expect(try ReviewFixtures.exposure(state).isZero)
        // A deposit paid after the cancellation releases nothing.
        let late = try ReviewFixtures.handle(DepositPaid(ref: ReviewFixtures.order().ref, amount: ReviewFixtures.cny("1627.20")), state)
        #expect(late.payloads(OrderReleased.self).isEmpty)
    }

    @Test func cancellationAfterReleaseIsForwardedToTheWarehouse() throws {
        let state = try ReviewFixtures.store()
        try ReviewFixtures.handle(OrderReceived(order: ReviewFixtures.order()), state)
        let request = CancellationRequested(orderId: "SO-2026-000001", reason: "duplicate order", requestedBy: "customer")
        let outcome = try ReviewFixtures.handle(request, state)

        #expect(outcome.statuses.isEmpty)
        #expect(outcome.topics == [.warehouse])
        #expect(outcome.events.first?.key == "SO-2026-000001")
        #expect(outcome.payloads(CancellationRequested.self) == [request])
        #expect(outcome.logs.count == 1)
        // Review does not cancel it itself: the warehouse reports back.
        #expect(try ReviewFixtures.stage(state) == .released)
        #expect(try ReviewFixtures.exposure(state) == ReviewFixtures.cny("4000.20"))
    }

    @Test func cancellationOfAnUnknownOrderIsRefused() throws {
        let state = try ReviewFixtures.store()
        let outcome = try ReviewFixtures.handle(CancellationRequested(orderId: "SO-2026-424242", reason: "?"), state)

        #expect(outcome.statuses.isEmpty)
        #expect(outcome.topics == [.status])
        let refusal = try #require(outcome.payloads(RequestRefused.self).first)
        #expect(refusal.orderId == "SO-2026-424242")
        #expect(refusal.request == .cancellation)
        #expect(refusal.reasons.map(\.code) == [.orderNotOpen])
        #expect(outcome.events.first?.key == "SO-2026-424242")
    }

    @Test func cancellationOfAFinalOrderIsRefused() throws {
        let state = try ReviewFixtures.store()
        try ReviewFixtures.handle(OrderReceived(order: ReviewFixtures.order(lines: [ReviewFixtures.pumps(1, at: "1.00")])), state)
        let outcome = try ReviewFixtures.handle(CancellationRequested(orderId: "SO-2026-000001", reason: "?"), state)

        let refusal = try #require(outcome.payloads(RequestRefused.self).first)
        #expect(refusal.status == .rejected)
        #expect(refusal.reasons.map(\.code) == [.orderNotOpen])
        #expect(refusal.externalOrderId == "EXT-SO-2026-000001")
        #expect(outcome.statuses.isEmpty)
    }
}
