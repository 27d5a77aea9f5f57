import Foundation
import Testing
import DepartmentKit
import OrderModel
import WarehouseRules

@Suite("Change requests forwarded by review")
struct ChangeTests {
    static func change(_ order: Order, _ sku: String, to quantity: Int) -> ChangeRequested {
        ChangeRequested(orderId: order.id, lines: [.init(sku: SKU(sku), quantity: quantity)],
                        requestedDeliveryDate: nil, requestedBy: "sales")
    }

    @Test("a change returns the order to review with its stock released; the approved change is allocated afresh")
    func returnsToReview() throws {
        let warehouse = Warehouse()
        try warehouse.receive(5, of: "PUMP-200")
        let order = Fixture.order(1, [("PUMP-200", 5)])
        let waiting = Fixture.order(2, [("PUMP-200", 2)])
        try warehouse.release(order)
        try warehouse.release(waiting)
        try warehouse.task(order, .picked)
        let request = Self.change(order, "PUMP-200", to: 3)

        let outcome = try warehouse.send(request)

        let returned = try #require(outcome.events.first { $0.type == OrderReturnedForChange.eventType })
        #expect(returned.topic == .review)
        #expect(returned.key == order.id.rawValue)
        #expect(returned.payload(as: OrderReturnedForChange.self) == OrderReturnedForChange(orderId: order.id, change: request))
        #expect(outcome.statusChanges.map(\.orderId) == [waiting.id])   // freed stock serves the queue
        #expect(try warehouse.record(order)?.stage == .returnedForChange)
        #expect(try warehouse.stock("PUMP-200") == StockLevel(onHand: 5, reserved: 2, inTransit: 0))

        var changed = order
        changed.replaceLines([Fixture.line(1, "PUMP-200", 3)])
        let rereleased = try warehouse.release(changed)

        #expect(rereleased.statuses == [.allocated])
        #expect(try warehouse.record(order)?.attempt == 1)
        #expect(try warehouse.record(order)?.stage == .picking)
        #expect(try warehouse.stock("PUMP-200") == StockLevel(onHand: 5, reserved: 5, inTransit: 0))
    }

    @Test("a change to a backordered order takes it out of the queue")
    func backorderedReturns() throws {
        let warehouse = Warehouse()
        let order = Fixture.order(1, [("PUMP-200", 5)])
        try warehouse.release(order)

        let outcome = try warehouse.send(Self.change(order, "PUMP-200", to: 1))

        #expect(outcome.payloads(OrderReturnedForChange.self).count == 1)
        #expect(try warehouse.state.get(WarehouseBackorderRecord.self, order.id.rawValue) == nil)
        #expect(try warehouse.receive(5, of: "PUMP-200").statusChanges.isEmpty)
    }

    @Test("a change after hand-over to logistics is refused with already_shipped")
    func refusedAfterHandOver() throws {
        let warehouse = Warehouse()
        try warehouse.receive(5, of: "PUMP-200")
        let order = Fixture.order(1, [("PUMP-200", 2)])
        try warehouse.release(order)
        try warehouse.work(order)

        let outcome = try warehouse.send(Self.change(order, "PUMP-200", to: 1))

        #expect(outcome.payloads(OrderReturnedForChange.self).isEmpty)
        let refusal = try #require(outcome.payloads(RequestRefused.self).first)
        #expect(refusal.request == .change)
        #expect(refusal.reasons.map(\.code) == [.alreadyShipped])
        #expect(refusal.status == .packed)
        #expect(outcome.events.first?.topic == .status)
        #expect(outcome.events.first?.key == order.id.rawValue)
    }

    @Test("a change that arrives before the order sends it back to review on arrival, unreserved")
    func changeOnArrival() throws {
        let warehouse = Warehouse()
        try warehouse.receive(5, of: "PUMP-200")
        let order = Fixture.order(1, [("PUMP-200", 2)])
        let request = Self.change(order, "PUMP-200", to: 4)

        #expect(try warehouse.send(request).events.isEmpty)
        let arrival = try warehouse.release(order)

        #expect(arrival.statusChanges.isEmpty)
        #expect(arrival.payloads(OrderReturnedForChange.self) == [OrderReturnedForChange(orderId: order.id, change: request)])
        #expect(try warehouse.stock("PUMP-200").reserved == 0)
    }
}
