import Foundation
import Testing
import DepartmentKit
import OrderModel
import WarehouseRules

@Suite("Demo mode: the warehouse works by itself")
struct DemoModeTests {
    static let demo = WarehouseConfig(demoMode: true, pickDuration: 1, checkDuration: 2, packDuration: 3,
                                      inspectDuration: 4, qcFailureRate: 0)

    @Test("the timer advances a step only when it is due, one step at a time when steps take time, to packed")
    func advancesWhenDue() throws {
        let warehouse = Warehouse(Self.demo)
        try warehouse.receive(10, of: "PUMP-200")
        let order = Fixture.order(1, [("PUMP-200", 3)])
        try warehouse.release(order)
        let t0 = Fixture.now

        #expect(try warehouse.tick(at: t0.addingTimeInterval(0.9)).events.isEmpty)
        #expect(try warehouse.record(order)?.stage == .picking)

        try warehouse.tick(at: t0.addingTimeInterval(1))                       // picked (due at +1)
        #expect(try warehouse.record(order)?.stage == .checking)
        try warehouse.tick(at: t0.addingTimeInterval(2.5))                     // check due at +3
        #expect(try warehouse.record(order)?.stage == .checking)
        try warehouse.tick(at: t0.addingTimeInterval(3))                       // checked
        #expect(try warehouse.record(order)?.stage == .packing)
        try warehouse.tick(at: t0.addingTimeInterval(6))                       // packed
        #expect(try warehouse.record(order)?.stage == .inspecting)
        #expect(try warehouse.tick(at: t0.addingTimeInterval(9)).events.isEmpty)  // inspection due at +10

        let inspected = try warehouse.tick(at: t0.addingTimeInterval(10))

        #expect(inspected.statuses == [.packed])
        #expect(inspected.payloads(OrderPacked.self).map(\.order.id) == [order.id])
        #expect(try warehouse.tick(at: t0.addingTimeInterval(100)).events.isEmpty)
    }

    @Test("without demo mode the timer never works an order")
    func noDemoNoSteps() throws {
        let warehouse = Warehouse(WarehouseConfig(demoMode: false, pickDuration: 0))
        try warehouse.receive(10, of: "PUMP-200")
        let order = Fixture.order(1, [("PUMP-200", 3)])
        try warehouse.release(order)

        try warehouse.tick(at: Fixture.now.addingTimeInterval(3600))

        #expect(try warehouse.record(order)?.stage == .picking)
    }

    @Test("a simulated inspection failure goes back to picking, never to logistics; the next attempt passes")
    func simulatedQCFailure() throws {
        let store = Warehouse(WarehouseConfig(demoMode: true, pickDuration: 0, checkDuration: 0, packDuration: 0,
                                              inspectDuration: 0, qcFailureRate: 1))
        try store.receive(10, of: "PUMP-200")
        let order = Fixture.order(1, [("PUMP-200", 3)])
        try store.release(order)
        // Steps that take no time are all done in one tick, up to the inspection.
        let outcome = try store.tick(at: Fixture.now)

        #expect(outcome.statuses == [.qcFailed])
        #expect(outcome.events(to: .logistics).isEmpty)
        #expect(try store.record(order)?.stage == .picking)
        #expect(try store.record(order)?.attempt == 2)

        // Same state, an inspector who passes everything.
        let passing = WarehouseRules(config: WarehouseConfig(demoMode: true, pickDuration: 0, checkDuration: 0,
                                                            packDuration: 0, inspectDuration: 0, qcFailureRate: 0))
        let second = try passing.tick(state: store.state, context: HandlerContext(now: Fixture.now))
        #expect(second.statuses == [.packed])
        #expect(second.payloads(OrderPacked.self).count == 1)
    }

    @Test("the simulated inspector's verdict is StableDice of order id and attempt")
    func verdictIsStable() throws {
        let rate = 0.5
        let config = WarehouseConfig(demoMode: true, pickDuration: 0, checkDuration: 0, packDuration: 0,
                                     inspectDuration: 0, qcFailureRate: rate)
        let orders = (1...6).map { Fixture.order($0, [("PUMP-200", 1)]) }
        let warehouse = Warehouse(config)
        try warehouse.receive(10, of: "PUMP-200")
        for order in orders { try warehouse.release(order) }

        let outcome = try warehouse.tick(at: Fixture.now)

        let failedIds = Set(outcome.statusChanges.filter { $0.status == .qcFailed }.map(\.orderId))
        let expected = Set(orders.filter { StableDice.roll("\($0.id.rawValue)#1") < rate }.map(\.id))
        #expect(!expected.isEmpty && expected.count < orders.count, "the sample must contain both verdicts")
        #expect(failedIds == expected)
        #expect(Set(outcome.payloads(OrderPacked.self).map(\.order.id)) == Set(orders.map(\.id)).subtracting(expected))
    }
}
