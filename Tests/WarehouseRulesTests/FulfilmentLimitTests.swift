import Foundation
import Testing
import DepartmentKit
import OrderModel
import WarehouseRules

@Suite("Fulfilment stage limit")
struct FulfilmentLimitTests {
    @Test("an allocated order not packed within the limit is reported once")
    func breachOnce() throws {
        let warehouse = Warehouse(WarehouseConfig(fulfilmentLimit: 3600))
        try warehouse.receive(5, of: "PUMP-200")
        let order = Fixture.order(1, [("PUMP-200", 2)])
        try warehouse.release(order)
        try warehouse.task(order, .picked, at: Fixture.now.addingTimeInterval(600))

        #expect(try warehouse.tick(at: Fixture.now.addingTimeInterval(3600)).events.isEmpty)

        let late = try warehouse.tick(at: Fixture.now.addingTimeInterval(3601))

        let breach = try #require(late.payloads(SLABreached.self).first)
        #expect(late.events.count == 1)
        #expect(late.events.first?.topic == .status)
        #expect(late.events.first?.key == order.id.rawValue)
        #expect(breach.orderId == order.id)
        #expect(breach.stage == "fulfilment")
        #expect(breach.status == .allocated)
        #expect(breach.since == Fixture.now)
        #expect(breach.limitSeconds == 3600)
        #expect(breach.department == "warehouse")
        #expect(try warehouse.tick(at: Fixture.now.addingTimeInterval(7200)).events.isEmpty)
    }

    @Test("orders packed in time, and backorders, are not reported")
    func onlyAllocatedUnpacked() throws {
        let warehouse = Warehouse(WarehouseConfig(fulfilmentLimit: 60))
        try warehouse.receive(2, of: "PUMP-200")
        let packed = Fixture.order(1, [("PUMP-200", 2)])
        let backordered = Fixture.order(2, [("PUMP-200", 2)])
        try warehouse.release(packed)
        try warehouse.release(backordered)
        try warehouse.work(packed, at: Fixture.now.addingTimeInterval(30))

        #expect(try warehouse.tick(at: Fixture.now.addingTimeInterval(3600)).events.isEmpty)
    }
}
