import DepartmentKit
import Foundation
import LogisticsRules
import OrderModel
import Testing

@Suite("Simulated carrier (demo mode)")
struct SimulatedCarrierTests {
    let harness = LogisticsHarness(config: LogisticsConfig(demoMode: true))

    func scans(_ outcome: HandlerOutcome) -> [ShipmentTrackingUpdated.Scan] {
        outcome.payloads(ShipmentTrackingUpdated.self).map(\.event)
    }

    @Test("each scan is emitted once, and only when due, to logistics' own inbox")
    func scansOnceWhenDue() throws {
        try harness.ship()
        #expect(scans(try harness.tick(at: Fixture.now.addingTimeInterval(0.1))).isEmpty)

        let inTransit = try harness.tick(at: Fixture.now.addingTimeInterval(0.3))
        #expect(scans(inTransit) == [.inTransit])
        #expect(inTransit.events.first?.topic == .logistics)
        #expect(inTransit.events.first?.key == "SO-2026-000001")
        #expect(inTransit.payloads(ShipmentTrackingUpdated.self).first?.trackingNumber == "STD202600000101")

        #expect(scans(try harness.tick(at: Fixture.now.addingTimeInterval(0.4))).isEmpty)
        #expect(scans(try harness.tick(at: Fixture.now.addingTimeInterval(0.6))) == [.delivered])
        #expect(scans(try harness.tick(at: Fixture.now.addingTimeInterval(5))).isEmpty)
    }

    @Test("both scans are emitted in order when a tick comes late")
    func lateTick() throws {
        try harness.ship()
        #expect(scans(try harness.tick(at: Fixture.now.addingTimeInterval(10))) == [.inTransit, .delivered])
    }

    @Test("the emitted scans, fed back, take the order to delivered")
    func scansDriveTheOrder() throws {
        try harness.ship()
        let emitted = try harness.tick(at: Fixture.now.addingTimeInterval(1)).payloads(ShipmentTrackingUpdated.self)
        var statuses: [OrderStatus] = []
        for scan in emitted {
            statuses += try harness.handle(scan, at: Fixture.now.addingTimeInterval(1)).statusChanges.map(\.status)
        }
        #expect(statuses == [.inTransit, .delivered])
        // Delivered orders need the timer no more.
        #expect(harness.state.scheduledTimers.isEmpty)
    }

    @Test("without demo mode the timer sends no scans")
    func offWithoutDemoMode() throws {
        let real = LogisticsHarness()
        try real.ship()
        #expect(try real.tick(at: Fixture.now.addingTimeInterval(10)).events.isEmpty)
    }
}
