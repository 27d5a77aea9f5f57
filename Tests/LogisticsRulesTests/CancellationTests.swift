import DepartmentKit
import Foundation
import LogisticsRules
import OrderModel
import Testing

@Suite("Cancellation requests")
struct CancellationTests {
    @Test("after shipment: refused with already_shipped, order status unchanged")
    func refusedAfterShipment() throws {
        let harness = LogisticsHarness()
        try harness.ship()
        _ = try harness.scan(.inTransit)
        let outcome = try harness.handle(CancellationRequested(orderId: Fixture.orderId, reason: "changed my mind"))

        #expect(outcome.statusChanges.isEmpty)
        let event = try #require(outcome.events.first)
        #expect(event.topic == .status)
        #expect(event.key == "SO-2026-000001")
        let refusal = try #require(event.payload(as: RequestRefused.self))
        #expect(refusal.request == .cancellation)
        #expect(refusal.reasons.map(\.code) == [.alreadyShipped])
        #expect(refusal.status == .inTransit)
        #expect(refusal.channel == "tmall-flagship")
        #expect(refusal.department == "logistics")
    }

    @Test("for an order logistics never saw: refused with order_not_open")
    func unknownOrder() throws {
        let harness = LogisticsHarness()
        let outcome = try harness.handle(CancellationRequested(orderId: "SO-2026-000099", reason: nil))
        let refusal = try #require(outcome.payloads(RequestRefused.self).first)
        #expect(refusal.reasons.map(\.code) == [.orderNotOpen])
        #expect(refusal.orderId == "SO-2026-000099")
    }
}
