import DepartmentKit
import Foundation
import LogisticsRules
import OrderModel
import Testing

@Suite("Customer's answer to the delivery")
struct DeliveryResponseTests {
    func deliveredHarness() throws -> LogisticsHarness {
        let harness = LogisticsHarness()
        try harness.ship()
        _ = try harness.scan(.delivered)
        return harness
    }

    @Test("accepted → status accepted, once")
    func accepted() throws {
        let harness = try deliveredHarness()
        let outcome = try harness.handle(DeliveryResponded(orderId: Fixture.orderId, response: .accepted))
        #expect(outcome.statusChanges.map(\.status) == [.accepted])
        #expect(outcome.payloads(DeliveryDisputed.self).isEmpty)
        #expect(try harness.handle(DeliveryResponded(orderId: Fixture.orderId, response: .accepted)).events.isEmpty)
    }

    @Test("disputed → status disputed and delivery.disputed to billing")
    func disputed() throws {
        let harness = try deliveredHarness()
        let outcome = try harness.handle(DeliveryResponded(orderId: Fixture.orderId, response: .disputed, reason: "2 pumps broken"))
        #expect(outcome.statusChanges.map(\.status) == [.disputed])
        #expect(outcome.statusChanges.first?.details?["reason"] == "2 pumps broken")
        let event = try #require(outcome.events.first { $0.type == DeliveryDisputed.eventType })
        #expect(event.topic == .billing)
        #expect(event.payload(as: DeliveryDisputed.self)?.reason == "2 pumps broken")
    }

    @Test("an answer before the delivery is ignored")
    func beforeDelivery() throws {
        let harness = LogisticsHarness()
        try harness.ship()
        let outcome = try harness.handle(DeliveryResponded(orderId: Fixture.orderId, response: .disputed))
        #expect(outcome.events.isEmpty)
        #expect(outcome.logs.contains { $0.level == .warning })
    }
}
