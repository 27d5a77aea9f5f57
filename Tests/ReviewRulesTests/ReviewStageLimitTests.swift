import Foundation
import Testing
import DepartmentKit
import OrderModel
@testable import ReviewRules

/// Orders waiting in review longer than the limit get one `order.sla-breached`.
struct ReviewStageLimitTests {
    @Test func breachIsPublishedOnceAfterTheLimit() throws {
        let state = try ReviewFixtures.store()
        let rules = ReviewRules()
        try ReviewFixtures.handle(OrderReceived(order: ReviewFixtures.order(lines: [ReviewFixtures.pumps(80)])), state)

        let early = try rules.tick(state: state, context: ReviewFixtures.at(hours: 2))
        #expect(early.events.isEmpty)

        let late = try rules.tick(state: state, context: ReviewFixtures.at(hours: 2.01))
        #expect(late.topics == [.status])
        #expect(late.events.first?.key == "SO-2026-000001")
        let breach = try #require(late.payloads(SLABreached.self).first)
        #expect(breach.stage == "review")
        #expect(breach.status == .pendingApproval)
        #expect(breach.since == ReviewFixtures.now)
        #expect(breach.limitSeconds == 7200)
        #expect(breach.department == "review")

        let later = try rules.tick(state: state, context: ReviewFixtures.at(hours: 5))
        #expect(later.events.isEmpty)
    }

    @Test func noBreachOnceTheOrderLeftReview() throws {
        let state = try ReviewFixtures.store()
        try ReviewFixtures.handle(OrderReceived(order: ReviewFixtures.order(lines: [ReviewFixtures.pumps(80)])), state)
        try ReviewFixtures.handle(ReviewFixtures.decision(by: "alice"), state, at: ReviewFixtures.at(hours: 1))
        #expect(try ReviewRules().tick(state: state, context: ReviewFixtures.at(hours: 3)).events.isEmpty)
    }

    @Test func waitingForTheDepositIsTimedFromApproval() throws {
        let state = try ReviewFixtures.store()
        let rules = ReviewRules(config: ReviewConfig(stageLimit: 60))
        try ReviewFixtures.handle(OrderReceived(order: ReviewFixtures.order(lines: [ReviewFixtures.mixers(1)])), state, rules: rules)

        let outcome = try rules.tick(state: state, context: HandlerContext(now: ReviewFixtures.now.addingTimeInterval(61)))
        let breach = try #require(outcome.payloads(SLABreached.self).first)
        #expect(breach.status == .awaitingDeposit)
        #expect(breach.limitSeconds == 60)
    }

    @Test func ordersReleasedAtOnceAreNeverTimed() throws {
        let state = try ReviewFixtures.store()
        try ReviewFixtures.handle(OrderReceived(order: ReviewFixtures.order()), state)
        #expect(try ReviewRules().tick(state: state, context: ReviewFixtures.at(hours: 48)).events.isEmpty)
    }
}
