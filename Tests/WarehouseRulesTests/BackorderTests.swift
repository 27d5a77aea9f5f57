import Foundation
import Testing
import DepartmentKit
import OrderModel
import WarehouseRules

@Suite("Backorder queue")
struct BackorderTests {
    @Test("arriving stock fills backorders by priority, then by age; one that can't be filled in full is skipped")
    func fillsByPriorityThenAge() throws {
        let warehouse = Warehouse()
        let oldNormal = Fixture.order(1, [("PUMP-200", 5)], priority: .normal)
        let high = Fixture.order(2, [("PUMP-200", 4)], priority: .high)
        let youngNormal = Fixture.order(3, [("PUMP-200", 2)], priority: .normal)
        let low = Fixture.order(4, [("PUMP-200", 1)], priority: .low)
        let rush = Fixture.order(5, [("PUMP-200", 1)], priority: .rush)
        for order in [oldNormal, high, youngNormal, low, rush] { try warehouse.release(order) }

        // 8 units: rush 1 → high 4 → old normal needs 5 of the 3 left: skipped → young normal 2 → low 1.
        let outcome = try warehouse.receive(8, of: "PUMP-200")

        #expect(outcome.statusChanges.map(\.orderId) == [rush.id, high.id, youngNormal.id, low.id])
        #expect(outcome.statuses == [.allocated, .allocated, .allocated, .allocated])
        #expect(outcome.statusChanges.allSatisfy { $0.details?["fromBackorder"] == "true" })
        #expect(try warehouse.record(oldNormal)?.stage == .backordered)
        #expect(try warehouse.stock("PUMP-200") == StockLevel(onHand: 8, reserved: 8, inTransit: 0))

        // The skipped order is first in line for the next receipt.
        let next = try warehouse.receive(5, of: "PUMP-200")
        #expect(next.statusChanges.map(\.orderId) == [oldNormal.id])
    }

    @Test("within one priority the order released first is served first")
    func olderFirst() throws {
        let warehouse = Warehouse()
        // Order numbers deliberately run against release order: age is release order.
        let releasedFirst = Fixture.order(9, [("PUMP-200", 2)])
        let releasedSecond = Fixture.order(3, [("PUMP-200", 2)])
        try warehouse.release(releasedFirst)
        try warehouse.release(releasedSecond)

        let outcome = try warehouse.receive(2, of: "PUMP-200")

        #expect(outcome.statusChanges.map(\.orderId) == [releasedFirst.id])
        #expect(try warehouse.record(releasedSecond)?.stage == .backordered)
    }

    @Test("a backorder short of two SKUs waits until both are there")
    func waitsForEverySKU() throws {
        let warehouse = Warehouse()
        let order = Fixture.order(1, [("PUMP-200", 2), ("VALVE-DN50", 3)])
        try warehouse.release(order)

        let partly = try warehouse.receive(2, of: "PUMP-200")
        #expect(partly.statusChanges.isEmpty)
        #expect(try warehouse.stock("PUMP-200").reserved == 0)

        let fully = try warehouse.receive(3, of: "VALVE-DN50")
        #expect(fully.statuses == [.allocated])
        #expect(try warehouse.stock("PUMP-200").reserved == 2)
        #expect(try warehouse.stock("VALVE-DN50").reserved == 3)
        #expect(try warehouse.state.get(WarehouseBackorderRecord.self, order.id.rawValue) == nil)
    }
}
