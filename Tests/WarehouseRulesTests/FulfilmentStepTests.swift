import Foundation
import Testing
import DepartmentKit
import OrderModel
import WarehouseRules

@Suite("Fulfilment steps confirmed by workers")
struct FulfilmentStepTests {
    @Test("picked, checked, packed, inspected: packed, the goods leave the books, logistics gets the order")
    func stepsInOrder() throws {
        let warehouse = Warehouse()
        try warehouse.receive(10, of: "PUMP-200")
        let order = Fixture.order(1, [("PUMP-200", 3), ("PUMP-200", 1)])
        try warehouse.release(order)

        let picked = try warehouse.task(order, .picked)
        #expect(picked.events.isEmpty)
        #expect(try warehouse.record(order)?.stage == .checking)
        try warehouse.task(order, .checked)
        #expect(try warehouse.record(order)?.stage == .packing)
        try warehouse.task(order, .packed)
        #expect(try warehouse.record(order)?.stage == .inspecting)
        #expect(try warehouse.stock("PUMP-200") == StockLevel(onHand: 10, reserved: 4, inTransit: 0))

        let inspected = try warehouse.task(order, .inspected, passed: true)

        #expect(inspected.statuses == [.packed])
        #expect(inspected.statusChanges.first?.details?["packages"] == "2")
        let handedOver = try #require(inspected.events(to: .logistics).first)
        #expect(handedOver.type == OrderPacked.eventType)
        #expect(handedOver.key == order.id.rawValue)
        #expect(handedOver.payload(as: OrderPacked.self)?.order == order)
        #expect(try warehouse.stock("PUMP-200") == StockLevel(onHand: 6, reserved: 0, inTransit: 0))
        #expect(try warehouse.record(order)?.stage == .handedOver)
        // Handed over: the order no longer needs the warehouse's timer.
        #expect(warehouse.state.scheduledTimers.filter { $0.key == order.id.rawValue }.isEmpty)
    }

    @Test("only the expected next step is accepted; others are logged and change nothing")
    func onlyExpectedStep() throws {
        let warehouse = Warehouse()
        try warehouse.receive(10, of: "PUMP-200")
        let order = Fixture.order(1, [("PUMP-200", 3)])
        try warehouse.release(order)
        let before = try warehouse.record(order)

        let outOfOrder = try warehouse.task(order, .packed)
        let inspectedEarly = try warehouse.task(order, .inspected, passed: true)

        for ignored in [outOfOrder, inspectedEarly] {
            #expect(ignored.events.isEmpty)
            #expect(ignored.logs.contains { $0.level == .notice })
        }
        #expect(try warehouse.record(order) == before)

        try warehouse.task(order, .picked)
        let repeated = try warehouse.task(order, .picked)
        #expect(repeated.events.isEmpty)
        #expect(try warehouse.record(order)?.stage == .checking)

        let unknown = try warehouse.task(Fixture.order(99, [("PUMP-200", 1)]), .picked)
        #expect(unknown.events.isEmpty)
        #expect(unknown.logs.count == 1)
    }

    @Test("a task for a backordered order is ignored: nothing to pick")
    func backorderedHasNoTask() throws {
        let warehouse = Warehouse()
        let order = Fixture.order(1, [("PUMP-200", 3)])
        try warehouse.release(order)

        let outcome = try warehouse.task(order, .picked)

        #expect(outcome.events.isEmpty)
        #expect(try warehouse.record(order)?.stage == .backordered)
    }

    @Test("a failed inspection is qc_failed and goes back to picking, never to logistics; the next attempt passes")
    func qcFailureBackToPicking() throws {
        let warehouse = Warehouse()
        try warehouse.receive(10, of: "PUMP-200")
        let order = Fixture.order(1, [("PUMP-200", 3)])
        try warehouse.release(order)
        try warehouse.task(order, .picked)
        try warehouse.task(order, .checked)
        try warehouse.task(order, .packed)

        let failed = try warehouse.task(order, .inspected, passed: false)

        #expect(failed.statuses == [.qcFailed])
        #expect(failed.statusChanges.first?.details?["attempt"] == "1")
        #expect(failed.events(to: .logistics).isEmpty)
        #expect(failed.payloads(OrderPacked.self).isEmpty)
        let retry = try #require(try warehouse.record(order))
        #expect(retry.stage == .picking)
        #expect(retry.attempt == 2)
        #expect(try warehouse.stock("PUMP-200") == StockLevel(onHand: 10, reserved: 3, inTransit: 0))
        // Straight to inspection again is not accepted: the goods must be picked anew.
        #expect(try warehouse.task(order, .inspected, passed: true).events.isEmpty)

        let passed = try warehouse.work(order)

        #expect(passed.statuses == [.packed])
        #expect(passed.statusChanges.first?.details?["attempt"] == "2")
        #expect(passed.payloads(OrderPacked.self).count == 1)
        #expect(try warehouse.stock("PUMP-200") == StockLevel(onHand: 7, reserved: 0, inTransit: 0))
    }
}
