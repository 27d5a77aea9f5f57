import DepartmentKit
import Foundation
import LogisticsRules
import OrderModel
import Testing

@Suite("Delivery stage limit")
struct DeliveryStageLimitTests {
    @Test("shipped but not delivered by ETA + grace → order.sla-breached once")
    func breachedOnce() throws {
        let harness = LogisticsHarness()
        try harness.ship()
        let deadline = Fixture.now.addingTimeInterval(3 * Fixture.day + 24 * 3600)

        #expect(try harness.tick(at: deadline).events.isEmpty)
        let breach = try harness.tick(at: deadline.addingTimeInterval(1))
        let event = try #require(breach.events.first)
        #expect(event.topic == .status)
        let sla = try #require(event.payload(as: SLABreached.self))
        #expect(sla.stage == "delivery")
        #expect(sla.status == .shipped)
        #expect(sla.since == Fixture.now)
        #expect(sla.limitSeconds == 4 * 24 * 3600)
        #expect(try harness.tick(at: deadline.addingTimeInterval(3600)).events.isEmpty)
    }

    @Test("a delay moves the deadline")
    func delayMovesDeadline() throws {
        let harness = LogisticsHarness()
        try harness.ship()
        _ = try harness.scan(.delayed, eta: Fixture.now.addingTimeInterval(10 * Fixture.day))
        #expect(try harness.tick(at: Fixture.now.addingTimeInterval(5 * Fixture.day)).events.isEmpty)
        #expect(try harness.tick(at: Fixture.now.addingTimeInterval(11 * Fixture.day + 1)).payloads(SLABreached.self).count == 1)
    }

    @Test("delivered orders are not timed")
    func deliveredNotTimed() throws {
        let harness = LogisticsHarness()
        try harness.ship()
        _ = try harness.scan(.delivered)
        #expect(try harness.tick(at: Fixture.now.addingTimeInterval(30 * Fixture.day)).events.isEmpty)
    }
}
