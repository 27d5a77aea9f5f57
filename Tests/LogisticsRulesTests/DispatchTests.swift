import DepartmentKit
import Foundation
import LogisticsRules
import OrderModel
import Testing

@Suite("Dispatch of packed orders")
struct DispatchTests {
    @Test("order.packed ships the whole order: status shipped and shipment.dispatched to billing")
    func shipsPackedOrder() throws {
        let harness = LogisticsHarness()
        let order = Fixture.order(lines: [Fixture.line(1), Fixture.line(2, sku: "VALVE-10", quantity: 5, price: "99.90")])
        let outcome = try harness.ship(order)

        let expectedEta = Fixture.now.addingTimeInterval(3 * Fixture.day)
        #expect(outcome.statusChanges.map(\.status) == [.shipped])
        let shipped = try #require(outcome.statusChanges.first)
        #expect(shipped.details == [
            "carrier": "standard", "trackingNumber": "STD202600000101", "shipmentId": "SHP-SO-2026-000001-1",
            "eta": Timestamp.format(expectedEta),
        ])
        #expect(shipped.department == "logistics")
        #expect(shipped.at == Fixture.now)

        let dispatchEvent = try #require(outcome.events.first { $0.type == ShipmentDispatched.eventType })
        #expect(dispatchEvent.topic == .billing)
        #expect(dispatchEvent.key == "SO-2026-000001")
        #expect(dispatchEvent.correlationId == "tmall-flagship:TM-SO-2026-000001")
        let dispatched = try #require(dispatchEvent.payload(as: ShipmentDispatched.self))
        #expect(dispatched.lines == order.lines)
        #expect(dispatched.shipmentId == "SHP-SO-2026-000001-1")
        #expect(dispatched.trackingNumber == "STD202600000101")
        #expect(dispatched.isReplacement == false)
        #expect(dispatched.shippedAt == Fixture.now)
        #expect(dispatched.estimatedDelivery == expectedEta)
        #expect(outcome.events.first { $0.type == OrderStatusChanged.eventType }?.topic == .status)
    }

    @Test("ETA is now plus the carrier's configured transit days")
    func etaPerCarrier() throws {
        var days = LogisticsConfig.defaultTransitDays
        days[.express] = 2
        let harness = LogisticsHarness(config: LogisticsConfig(transitDays: days))
        let outcome = try harness.ship(Fixture.order(method: "express"))
        #expect(outcome.payloads(ShipmentDispatched.self).first?.estimatedDelivery
            == Fixture.now.addingTimeInterval(2 * Fixture.day))
    }

    @Test("a second order.packed for the same order ships nothing")
    func repeatedPackedIsIgnored() throws {
        let harness = LogisticsHarness()
        try harness.ship()
        let again = try harness.ship(at: Fixture.now.addingTimeInterval(60))
        #expect(again.events.isEmpty)
        #expect(!again.logs.isEmpty)
        #expect(try harness.record()?.shipments.count == 1)
    }
}
