import Foundation
import Testing
import DepartmentKit
import OrderModel
@testable import ReviewRules

/// Orders above the thresholds and orders of watched tiers wait for people's decisions.
struct ReviewApprovalTests {
    let bigOrder = ReviewFixtures.order(lines: [ReviewFixtures.pumps(80)])  // 106672.00 gross

    @Test func orderAboveThresholdWaitsForApproval() throws {
        let state = try ReviewFixtures.store()
        let outcome = try ReviewFixtures.handle(OrderReceived(order: bigOrder), state)

        #expect(outcome.statuses == [.pendingApproval])
        #expect(outcome.statusChanges.first?.details?["requiredApprovals"] == "1")
        #expect(outcome.statusChanges.first?.details?["maxDiscountPercent"] == "1.67")
        #expect(outcome.topics == [.status])
        #expect(try ReviewFixtures.stage(state) == .pendingApproval)
        // Counted in exposure from now on.
        #expect(try ReviewFixtures.exposure(state) == ReviewFixtures.cny("106672.00"))
    }

    @Test func oneApprovalReleasesASingleLevelOrder() throws {
        let state = try ReviewFixtures.store()
        try ReviewFixtures.handle(OrderReceived(order: bigOrder), state)
        let outcome = try ReviewFixtures.handle(ReviewFixtures.decision(by: "alice"), state)

        #expect(outcome.statuses == [.approved])
        #expect(outcome.statusChanges.first?.details?["approvedBy"] == "alice")
        #expect(outcome.payloads(OrderReleased.self).count == 1)
        // Not counted twice.
        #expect(try ReviewFixtures.exposure(state) == ReviewFixtures.cny("106672.00"))
    }

    @Test func twoLevelApprovalNeedsTwoDistinctReviewers() throws {
        let rules = ReviewRules(config: ReviewConfig(approvalThresholds: [Decimal(50_000), Decimal(100_000)]))
        let state = try ReviewFixtures.store()
        let pending = try ReviewFixtures.handle(OrderReceived(order: bigOrder), state, rules: rules)
        #expect(pending.statusChanges.first?.details?["requiredApprovals"] == "2")

        let first = try ReviewFixtures.handle(ReviewFixtures.decision(by: "alice"), state, rules: rules)
        let sameAgain = try ReviewFixtures.handle(ReviewFixtures.decision(by: "Alice "), state, rules: rules)
        #expect(first.events.isEmpty)
        #expect(sameAgain.events.isEmpty)
        #expect(sameAgain.logs.first?.level == .notice)
        #expect(try state.get(ReviewedOrder.self, "SO-2026-000001")?.approvedBy == ["alice"])
        #expect(try ReviewFixtures.stage(state) == .pendingApproval)

        let second = try ReviewFixtures.handle(ReviewFixtures.decision(by: "bob"), state, rules: rules)
        #expect(second.statuses == [.approved])
        #expect(second.statusChanges.first?.details?["approvedBy"] == "alice, bob")
        #expect(second.payloads(OrderReleased.self).count == 1)
    }

    @Test func tierCIsAlwaysPending() throws {
        let state = try ReviewFixtures.store(customers: [ReviewFixtures.customer(tier: "C")])
        let outcome = try ReviewFixtures.handle(OrderReceived(order: ReviewFixtures.order(tier: "C")), state)
        #expect(outcome.statuses == [.pendingApproval])
        #expect(outcome.statusChanges.first?.details?["requiredApprovals"] == "1")
        #expect(outcome.payloads(OrderReleased.self).isEmpty)
    }

    @Test func tierCAboveThresholdStillNeedsOneLevelPerThreshold() throws {
        let state = try ReviewFixtures.store(customers: [ReviewFixtures.customer(tier: "C")])
        let outcome = try ReviewFixtures.handle(OrderReceived(order: ReviewFixtures.order(tier: "C", lines: [ReviewFixtures.pumps(80)])), state)
        #expect(outcome.statusChanges.first?.details?["requiredApprovals"] == "1")
    }

    @Test func reviewerRejectionRejectsAndReleasesExposure() throws {
        let state = try ReviewFixtures.store()
        try ReviewFixtures.handle(OrderReceived(order: bigOrder), state)
        let outcome = try ReviewFixtures.handle(ReviewFixtures.decision(.reject, by: "carol", comment: "margin too thin"), state)

        #expect(outcome.statuses == [.rejected])
        #expect(outcome.reasonCodes == [.rejectedByReviewer])
        let message = try #require(outcome.statusChanges.first?.reasons?.first?.message)
        #expect(message.contains("carol"))
        #expect(message.contains("margin too thin"))
        #expect(outcome.payloads(OrderReleased.self).isEmpty)
        // No deposit was asked, so billing has nothing to void.
        #expect(outcome.payloads(OrderCancelled.self).isEmpty)
        #expect(try ReviewFixtures.exposure(state).isZero)
        #expect(try ReviewFixtures.stage(state) == .rejected)
    }

    @Test func decisionForAnOrderNotPendingHasNoEffect() throws {
        let state = try ReviewFixtures.store()
        try ReviewFixtures.handle(OrderReceived(order: ReviewFixtures.order()), state)  // approved by policy

        let onApproved = try ReviewFixtures.handle(ReviewFixtures.decision(.reject, by: "carol"), state)
        let onUnknown = try ReviewFixtures.handle(ReviewFixtures.decision(on: "SO-2026-999999", by: "carol"), state)

        #expect(onApproved.events.isEmpty)
        #expect(onApproved.logs.map(\.level) == [.notice])
        #expect(onUnknown.events.isEmpty)
        #expect(onUnknown.logs.map(\.level) == [.notice])
        #expect(try ReviewFixtures.stage(state) == .released)
    }

    @Test func decisionAfterRejectionHasNoEffect() throws {
        let state = try ReviewFixtures.store()
        try ReviewFixtures.handle(OrderReceived(order: bigOrder), state)
        try ReviewFixtures.handle(ReviewFixtures.decision(.reject, by: "carol"), state)
        let late = try ReviewFixtures.handle(ReviewFixtures.decision(.approve, by: "alice"), state)
        #expect(late.events.isEmpty)
        #expect(try ReviewFixtures.stage(state) == .rejected)
    }
}
