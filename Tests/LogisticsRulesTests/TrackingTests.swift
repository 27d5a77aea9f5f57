import DepartmentKit
import Foundation
import LogisticsRules
import OrderModel
import Testing

@Suite("Carrier tracking scans")
struct TrackingTests {
    @Test("a scan with another tracking number is logged and ignored")
    func wrongTrackingNumber() throws {
        let harness = LogisticsHarness()
        try harness.ship()
        let outcome = try harness.scan(.delivered, tracking: "STD999999999901")
        #expect(outcome.events.isEmpty)
        #expect(outcome.logs.contains { $0.message.contains("STD999999999901") })
        #expect(try harness.record()?.isDelivered == false)
    }

    @Test("a scan for an order logistics never shipped is ignored")
    func unknownOrder() throws {
        let harness = LogisticsHarness()
        let outcome = try harness.scan(.inTransit, tracking: "STD202600000101")
        #expect(outcome.events.isEmpty)
        #expect(!outcome.logs.isEmpty)
    }

    @Test("in_transit is published once per shipment, however often the carrier scans")
    func inTransitOnce() throws {
        let harness = LogisticsHarness()
        try harness.ship()
        let first = try harness.scan(.inTransit)
        let second = try harness.scan(.inTransit, at: Fixture.now.addingTimeInterval(7200))
        #expect(first.statusChanges.map(\.status) == [.inTransit])
        #expect(first.statusChanges.first?.details?["trackingNumber"] == "STD202600000101")
        #expect(second.events.isEmpty)
    }

    @Test("a delay with a new ETA is a new change; the same delay again is not")
    func delays() throws {
        let harness = LogisticsHarness()
        try harness.ship()
        let eta1 = Fixture.now.addingTimeInterval(5 * Fixture.day)
        let eta2 = Fixture.now.addingTimeInterval(6 * Fixture.day)

        let first = try harness.scan(.delayed, eta: eta1)
        let repeated = try harness.scan(.delayed, eta: eta1)
        let later = try harness.scan(.delayed, eta: eta2)

        #expect(first.statusChanges.map(\.status) == [.delayed])
        #expect(first.statusChanges.first?.details?["eta"] == Timestamp.format(eta1))
        #expect(repeated.events.isEmpty)
        #expect(later.statusChanges.map(\.status) == [.delayed])
        #expect(later.statusChanges.first?.details?["eta"] == Timestamp.format(eta2))
        #expect(try harness.record()?.current.eta == eta2)
    }

    @Test("damaged goods: delivery_exception, then a replacement shipment that billing won't invoice")
    func damagedGetsReplacement() throws {
        let harness = LogisticsHarness()
        try harness.ship()
        let oldTracking = try harness.trackingNumber()
        let outcome = try harness.scan(.exception, exception: .damaged)

        #expect(outcome.statusChanges.map(\.status) == [.deliveryException, .shipped])
        #expect(outcome.statusChanges[0].details?["kind"] == "damaged")
        let reshipped = outcome.statusChanges[1]
        #expect(reshipped.details?["replacementFor"] == "SHP-SO-2026-000001-1")
        #expect(reshipped.details?["shipmentId"] == "SHP-SO-2026-000001-2")
        #expect(reshipped.details?["trackingNumber"] == "STD202600000102")

        let replacement = try #require(outcome.payloads(ShipmentDispatched.self).first)
        #expect(replacement.isReplacement)
        #expect(replacement.shipmentId == "SHP-SO-2026-000001-2")
        #expect(outcome.events.first { $0.type == ShipmentDispatched.eventType }?.topic == .billing)

        let record = try #require(try harness.record())
        #expect(record.shipments.map(\.progress) == [.replaced, .underway])

        // The lost parcel's number no longer counts; the replacement's does.
        #expect(try harness.scan(.delivered, tracking: oldTracking).events.isEmpty)
        #expect(try harness.scan(.delivered).statusChanges.map(\.status) == [.delivered])
    }

    @Test("lost goods with claimInsteadOfReplacement: a claim is opened, nothing is reshipped")
    func lostWithClaim() throws {
        let harness = LogisticsHarness(config: LogisticsConfig(claimInsteadOfReplacement: true))
        try harness.ship()
        let outcome = try harness.scan(.exception, exception: .lost)

        #expect(outcome.statusChanges.map(\.status) == [.deliveryException])
        #expect(outcome.statusChanges.first?.details?["claim"] == "opened")
        #expect(outcome.statusChanges.first?.details?["kind"] == "lost")
        #expect(outcome.payloads(ShipmentDispatched.self).isEmpty)
        #expect(try harness.record()?.current.progress == .claimed)
        // Kept, not dropped, and not timed while the claim is open.
        #expect(try harness.tick(at: Fixture.now.addingTimeInterval(30 * Fixture.day)).events.isEmpty)
        #expect(try harness.record() != nil)
    }

    @Test("another kind of exception is reported once and the shipment carries on")
    func otherException() throws {
        let harness = LogisticsHarness()
        try harness.ship()
        let first = try harness.scan(.exception, exception: .other)
        let repeated = try harness.scan(.exception, exception: .other)
        #expect(first.statusChanges.map(\.status) == [.deliveryException])
        #expect(first.payloads(ShipmentDispatched.self).isEmpty)
        #expect(repeated.events.isEmpty)
        #expect(try harness.record()?.current.progress == .underway)
    }

    @Test("delivered: status delivered and shipment.delivered to billing; later scans ignored")
    func delivered() throws {
        let harness = LogisticsHarness()
        try harness.ship()
        let at = Fixture.now.addingTimeInterval(2 * Fixture.day)
        let outcome = try harness.scan(.delivered, at: at)

        #expect(outcome.statusChanges.map(\.status) == [.delivered])
        let event = try #require(outcome.events.first { $0.type == ShipmentDelivered.eventType })
        #expect(event.topic == .billing)
        #expect(event.key == "SO-2026-000001")
        let delivered = try #require(event.payload(as: ShipmentDelivered.self))
        #expect(delivered.shipmentId == "SHP-SO-2026-000001-1")
        #expect(delivered.deliveredAt == at)

        #expect(try harness.scan(.delivered).events.isEmpty)
        #expect(try harness.scan(.exception, exception: .damaged).events.isEmpty)
    }
}
