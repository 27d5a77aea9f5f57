import Foundation
import Testing
import DepartmentKit
import OrderModel
import WarehouseRules

@Suite("Cancellation requests forwarded by review")
struct CancellationTests {
    @Test("cancelling an allocated order releases its stock, which fills a backorder at once")
    func releasesAndFillsBackorder() throws {
        let warehouse = Warehouse()
        try warehouse.receive(5, of: "PUMP-200")
        let cancelled = Fixture.order(1, [("PUMP-200", 5)])
        let waiting = Fixture.order(2, [("PUMP-200", 4)])
        try warehouse.release(cancelled)
        try warehouse.release(waiting)
        try warehouse.task(cancelled, .picked)

        let outcome = try warehouse.send(CancellationRequested(orderId: cancelled.id, reason: "found it cheaper", requestedBy: "customer"))

        #expect(outcome.statusChanges.map(\.orderId) == [cancelled.id, waiting.id])
        #expect(outcome.statuses == [.cancelled, .allocated])
        let reasons = try #require(outcome.statusChanges.first?.reasons)
        #expect(reasons.map(\.code) == [.cancelledByCustomer])
        #expect(reasons.first?.message.contains("found it cheaper") == true)
        let notices = outcome.events.filter { $0.type == OrderCancelled.eventType }
        #expect(notices.map(\.topic) == [.billing, .review])
        #expect(notices.allSatisfy { $0.key == cancelled.id.rawValue })
        #expect(outcome.payloads(OrderCancelled.self).first
                == OrderCancelled(ref: cancelled.ref, customerId: "C-1001", reasons: reasons, cancelledBy: "warehouse"))
        #expect(try warehouse.stock("PUMP-200") == StockLevel(onHand: 5, reserved: 4, inTransit: 0))
        #expect(try warehouse.record(cancelled)?.stage == .cancelled)
        // The cancelled order has no tasks left and is not worked on.
        #expect(try warehouse.task(cancelled, .checked).events.isEmpty)
    }

    @Test("cancelling a backordered order takes it out of the queue")
    func leavesBackorderQueue() throws {
        let warehouse = Warehouse()
        let order = Fixture.order(1, [("PUMP-200", 3)])
        try warehouse.release(order)

        let outcome = try warehouse.send(CancellationRequested(orderId: order.id, reason: nil))

        #expect(outcome.statuses == [.cancelled])
        #expect(outcome.statusChanges.first?.reasons?.first?.code == .cancelledByCustomer)
        #expect(try warehouse.state.get(WarehouseBackorderRecord.self, order.id.rawValue) == nil)
        let arrival = try warehouse.receive(3, of: "PUMP-200")
        #expect(arrival.statusChanges.isEmpty)
        #expect(try warehouse.stock("PUMP-200").reserved == 0)
    }

    @Test("cancelling an order already handed to logistics forwards the request there")
    func forwardsAfterHandOver() throws {
        let warehouse = Warehouse()
        try warehouse.receive(5, of: "PUMP-200")
        let order = Fixture.order(1, [("PUMP-200", 2)])
        try warehouse.release(order)
        try warehouse.work(order)
        let request = CancellationRequested(orderId: order.id, reason: "too late?", requestedBy: "sales")

        let outcome = try warehouse.send(request)

        #expect(outcome.statusChanges.isEmpty)
        #expect(outcome.events.count == 1)
        let forwarded = try #require(outcome.events.first)
        #expect(forwarded.topic == .logistics)
        #expect(forwarded.key == order.id.rawValue)
        #expect(forwarded.payload(as: CancellationRequested.self) == request)
        #expect(try warehouse.stock("PUMP-200") == StockLevel(onHand: 3, reserved: 0, inTransit: 0))
    }

    @Test("a cancellation that arrives before the order is carried out when the order arrives")
    func cancelOnArrival() throws {
        let warehouse = Warehouse()
        try warehouse.receive(5, of: "PUMP-200")
        let order = Fixture.order(1, [("PUMP-200", 2)])

        let early = try warehouse.send(CancellationRequested(orderId: order.id, reason: "changed my mind"))
        #expect(early.events.isEmpty)
        #expect(early.logs.contains { $0.level == .notice })

        let arrival = try warehouse.release(order)

        #expect(arrival.statuses == [.cancelled])
        #expect(arrival.statusChanges.first?.reasons?.first?.message.contains("changed my mind") == true)
        #expect(arrival.events.filter { $0.type == OrderCancelled.eventType }.map(\.topic) == [.billing, .review])
        #expect(try warehouse.stock("PUMP-200").reserved == 0)
        #expect(try warehouse.state.get(WarehouseAwaitedRequestRecord.self, order.id.rawValue) == nil)
        #expect(try warehouse.record(order)?.stage == .cancelled)
    }

    @Test("a second cancellation, or a release of a cancelled order, changes nothing")
    func cancelledStaysCancelled() throws {
        let warehouse = Warehouse()
        try warehouse.receive(5, of: "PUMP-200")
        let order = Fixture.order(1, [("PUMP-200", 2)])
        try warehouse.release(order)
        try warehouse.send(CancellationRequested(orderId: order.id, reason: nil))

        let again = try warehouse.send(CancellationRequested(orderId: order.id, reason: nil))
        let released = try warehouse.release(order)

        #expect(again.events.isEmpty)
        #expect(released.events.isEmpty)
        #expect(try warehouse.stock("PUMP-200").reserved == 0)
    }
}
