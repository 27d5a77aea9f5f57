import Foundation
import Testing
import DepartmentKit
import OrderModel
@testable import ReviewRules

/// Made-to-order goods are produced only after a deposit.
struct ReviewDepositTests {
    // 1 × MIXER-9 at 4800.00 + 13 % = 5424.00 gross; 30 % = 1627.20.
    let mixerOrder = ReviewFixtures.order(lines: [ReviewFixtures.mixers(1)])

    @Test func madeToOrderGoodsWaitForTheDeposit() throws {
        let state = try ReviewFixtures.store()
        let outcome = try ReviewFixtures.handle(OrderReceived(order: mixerOrder), state)

        #expect(outcome.statuses == [.approved, .awaitingDeposit])
        #expect(outcome.topics == [.status, .billing, .status])
        let request = try #require(outcome.payloads(DepositRequested.self).first)
        #expect(request.amount == ReviewFixtures.cny("1627.20"))
        #expect(request.orderTotal == ReviewFixtures.cny("5424.00"))
        #expect(request.customerId == "C-1001")
        #expect(request.paymentTermsDays == 30)
        #expect(outcome.events[1].key == "SO-2026-000001")
        #expect(outcome.statusChanges.last?.details?["depositAmount"] == "1627.20")
        #expect(outcome.payloads(OrderReleased.self).isEmpty)
        #expect(try ReviewFixtures.stage(state) == .awaitingDeposit)
        #expect(try ReviewFixtures.exposure(state) == ReviewFixtures.cny("5424.00"))
    }

    @Test func depositPaidReleasesTheOrderOnce() throws {
        let state = try ReviewFixtures.store()
        try ReviewFixtures.handle(OrderReceived(order: mixerOrder), state)
        let paid = DepositPaid(ref: mixerOrder.ref, amount: ReviewFixtures.cny("1627.20"))

        let outcome = try ReviewFixtures.handle(paid, state)
        #expect(outcome.statuses.isEmpty)
        #expect(outcome.topics == [.warehouse])
        #expect(outcome.payloads(OrderReleased.self).first?.order.id == "SO-2026-000001")
        #expect(try ReviewFixtures.stage(state) == .released)

        let again = try ReviewFixtures.handle(paid, state)
        #expect(again.events.isEmpty)
        #expect(again.logs.map(\.level) == [.notice])
    }

    @Test func depositRateIsConfigurable() throws {
        let state = try ReviewFixtures.store()
        let rules = ReviewRules(config: ReviewConfig(depositRate: Decimal(string: "0.5")!))
        let outcome = try ReviewFixtures.handle(OrderReceived(order: mixerOrder), state, rules: rules)
        #expect(outcome.payloads(DepositRequested.self).first?.amount == ReviewFixtures.cny("2712.00"))
    }

    @Test func depositIsAskedAfterThePeopleApproved() throws {
        let state = try ReviewFixtures.store()
        let big = ReviewFixtures.order(lines: [ReviewFixtures.mixers(20)])  // 108480.00 gross
        let pending = try ReviewFixtures.handle(OrderReceived(order: big), state)
        #expect(pending.statuses == [.pendingApproval])
        #expect(pending.payloads(DepositRequested.self).isEmpty)

        let approved = try ReviewFixtures.handle(ReviewFixtures.decision(by: "alice"), state)
        #expect(approved.statuses == [.approved, .awaitingDeposit])
        #expect(approved.payloads(DepositRequested.self).first?.amount == ReviewFixtures.cny("32544.00"))
    }
}
