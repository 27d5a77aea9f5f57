import Foundation
import Testing
import DepartmentKit
import OrderModel
import WarehouseRules

@Suite("Allocation of released orders")
struct AllocationTests {
    @Test("an order whose lines are all available is allocated and waits to be picked")
    func allocatesWhenAvailable() throws {
        let warehouse = Warehouse()
        try warehouse.receive(10, of: "PUMP-200")
        try warehouse.receive(4, of: "VALVE-DN50")
        let order = Fixture.order(1, [("PUMP-200", 3), ("VALVE-DN50", 4)])

        let outcome = try warehouse.release(order)

        #expect(outcome.statuses == [.allocated])
        let change = try #require(outcome.statusChanges.first)
        #expect(change.orderId == order.id)
        #expect(change.department == "warehouse")
        #expect(change.at == Fixture.now)
        #expect(outcome.events(to: .status).first?.key == order.id.rawValue)
        #expect(outcome.payloads(ReplenishmentRequested.self).isEmpty)
        #expect(try warehouse.stock("PUMP-200") == StockLevel(onHand: 10, reserved: 3, inTransit: 0))
        #expect(try warehouse.stock("VALVE-DN50") == StockLevel(onHand: 4, reserved: 4, inTransit: 0))
        #expect(try warehouse.stock("VALVE-DN50").available == 0)
        let record = try #require(try warehouse.record(order))
        #expect(record.stage == .picking)
        #expect(record.attempt == 1)
        #expect(record.allocatedAt == Fixture.now)
    }

    @Test("all or none: one short line reserves nothing at all")
    func allOrNone() throws {
        let warehouse = Warehouse()
        try warehouse.receive(10, of: "PUMP-200")
        try warehouse.receive(1, of: "VALVE-DN50")
        let order = Fixture.order(1, [("PUMP-200", 3), ("VALVE-DN50", 2)])

        let outcome = try warehouse.release(order)

        #expect(outcome.statuses == [.backordered])
        #expect(outcome.statusChanges.first?.details?["shortSkus"] == "VALVE-DN50")
        #expect(try warehouse.stock("PUMP-200").reserved == 0)
        #expect(try warehouse.stock("VALVE-DN50").reserved == 0)
        #expect(try warehouse.record(order)?.stage == .backordered)
        #expect(try warehouse.state.get(WarehouseBackorderRecord.self, order.id.rawValue) != nil)
        #expect(outcome.payloads(ReplenishmentRequested.self).map(\.sku) == ["VALVE-DN50"])
    }

    @Test("a replenishment request per short SKU says how much, by when, and the stock behind it")
    func replenishmentRequestContent() throws {
        let warehouse = Warehouse()
        try warehouse.send(StockInTransit(sku: "VALVE-DN50", quantity: 7, reference: "PO-1"))
        try warehouse.receive(5, of: "MOTOR-7K5")
        try warehouse.release(Fixture.order(1, [("MOTOR-7K5", 2)]))   // 2 of 5 reserved
        let dated = Fixture.order(2, [("MOTOR-7K5", 6), ("VALVE-DN50", 4)],
                                  requestedDeliveryDate: LocalDate(year: 2026, month: 12, day: 5))

        let outcome = try warehouse.release(dated)

        #expect(outcome.statusChanges.first?.details?["shortSkus"] == "MOTOR-7K5,VALVE-DN50")
        let requests = outcome.payloads(ReplenishmentRequested.self)
        #expect(requests == [
            ReplenishmentRequested(sku: "MOTOR-7K5", quantityShort: 3, neededBy: LocalDate(year: 2026, month: 12, day: 5),
                                   orderId: dated.id, onHand: 5, reserved: 2, inTransit: 0),
            ReplenishmentRequested(sku: "VALVE-DN50", quantityShort: 4, neededBy: LocalDate(year: 2026, month: 12, day: 5),
                                   orderId: dated.id, onHand: 0, reserved: 0, inTransit: 7),
        ])
        let sent = outcome.events(to: .replenishment)
        #expect(sent.map(\.key) == ["MOTOR-7K5", "VALVE-DN50"])
        #expect(sent.allSatisfy { $0.correlationId == dated.ref.correlationId })

        let undated = Fixture.order(3, [("GEARBOX-R40", 1)], leadTimeDays: 12)
        let second = try warehouse.release(undated)
        #expect(second.payloads(ReplenishmentRequested.self).first?.neededBy == Fixture.today.adding(days: 12))
    }

    @Test("several lines of one SKU add up before availability is judged")
    func linesOfOneSKUAddUp() throws {
        let warehouse = Warehouse()
        try warehouse.receive(5, of: "PUMP-200")
        let tooMuch = Fixture.order(1, [("PUMP-200", 3), ("PUMP-200", 3)])

        let short = try warehouse.release(tooMuch)

        #expect(short.statuses == [.backordered])
        #expect(short.payloads(ReplenishmentRequested.self).map(\.quantityShort) == [1])
        #expect(try warehouse.stock("PUMP-200").reserved == 0)

        try warehouse.receive(1, of: "PUMP-200")
        #expect(try warehouse.record(tooMuch)?.stage == .picking)
        #expect(try warehouse.stock("PUMP-200") == StockLevel(onHand: 6, reserved: 6, inTransit: 0))
    }

    @Test("two orders racing for the last units: the first wins, the second is backordered")
    func raceForLastUnits() throws {
        let warehouse = Warehouse()
        try warehouse.receive(4, of: "PUMP-200")
        let first = Fixture.order(1, [("PUMP-200", 3)])
        let second = Fixture.order(2, [("PUMP-200", 3)])

        let firstOutcome = try warehouse.release(first)
        let secondOutcome = try warehouse.release(second, at: Fixture.now.addingTimeInterval(60))

        #expect(firstOutcome.statuses == [.allocated])
        #expect(secondOutcome.statuses == [.backordered])
        #expect(secondOutcome.payloads(ReplenishmentRequested.self).first?.quantityShort == 2)
        let stock = try warehouse.stock("PUMP-200")
        #expect(stock == StockLevel(onHand: 4, reserved: 3, inTransit: 0))
        #expect(stock.reserved <= stock.onHand)
    }

    @Test("racing in one batch (consecutive events on one store): never reserved more than on hand")
    func raceInOneBatch() throws {
        let warehouse = Warehouse()
        try warehouse.receive(5, of: "PUMP-200")
        try warehouse.receive(2, of: "VALVE-DN50")
        let orders = [
            Fixture.order(1, [("PUMP-200", 3), ("VALVE-DN50", 1)]),
            Fixture.order(2, [("PUMP-200", 3)]),
            Fixture.order(3, [("VALVE-DN50", 1), ("PUMP-200", 2)]),
            Fixture.order(4, [("VALVE-DN50", 1)]),
        ]

        let statuses = try orders.map { try warehouse.release($0).statuses }

        #expect(statuses == [[.allocated], [.backordered], [.allocated], [.backordered]])
        for (_, level) in try WarehouseRules.stockLevels(in: warehouse.state) {
            #expect(level.reserved <= level.onHand)
        }
        #expect(try warehouse.stock("PUMP-200").reserved == 5)
        #expect(try warehouse.stock("VALVE-DN50").reserved == 2)
    }

    @Test("the same release arriving twice reserves once and publishes nothing more")
    func repeatedReleaseIgnored() throws {
        let warehouse = Warehouse()
        try warehouse.receive(10, of: "PUMP-200")
        let order = Fixture.order(1, [("PUMP-200", 3)])
        try warehouse.release(order)

        let again = try warehouse.release(order)

        #expect(again.events.isEmpty)
        #expect(again.logs.contains { $0.level == .notice })
        #expect(try warehouse.stock("PUMP-200").reserved == 3)
    }

    @Test("the rules name every event type they act on")
    func handledEventTypes() {
        #expect(WarehouseRules().handledEventTypes == [
            "order.released", "stock.received", "stock.in-transit", "warehouse.task-completed",
            "order.cancellation-requested", "order.change-requested",
        ])
        #expect(WarehouseRules().department == "warehouse")
    }
}
