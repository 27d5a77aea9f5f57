import Foundation
import Testing
import DepartmentKit
import OrderModel
import WarehouseRules

@Suite("Stock receipts and announcements")
struct StockMovementTests {
    @Test("stock.in-transit counts units as on their way, without allocating anything")
    func inTransit() throws {
        let warehouse = Warehouse()
        let order = Fixture.order(1, [("PUMP-200", 3)])
        try warehouse.release(order)

        let outcome = try warehouse.send(StockInTransit(sku: "PUMP-200", quantity: 8, reference: "PO-77"))

        #expect(outcome.events.isEmpty)
        #expect(try warehouse.stock("PUMP-200") == StockLevel(onHand: 0, reserved: 0, inTransit: 8))
        #expect(try warehouse.record(order)?.stage == .backordered)
    }

    @Test("stock.received adds to on hand and takes as much off in transit, never below zero")
    func received() throws {
        let warehouse = Warehouse()
        try warehouse.send(StockInTransit(sku: "PUMP-200", quantity: 8, reference: "PO-77"))

        try warehouse.receive(5, of: "PUMP-200")
        #expect(try warehouse.stock("PUMP-200") == StockLevel(onHand: 5, reserved: 0, inTransit: 3))

        try warehouse.receive(6, of: "PUMP-200")
        #expect(try warehouse.stock("PUMP-200") == StockLevel(onHand: 11, reserved: 0, inTransit: 0))
    }

    @Test("the same receipt (SKU and reference) sent twice is booked once")
    func duplicateReceiptIgnored() throws {
        let warehouse = Warehouse()
        try warehouse.receive(5, of: "PUMP-200", reference: "GR-1")

        let again = try warehouse.receive(5, of: "PUMP-200", reference: "GR-1")
        try warehouse.receive(5, of: "VALVE-DN50", reference: "GR-1")   // other SKU, same document: booked

        #expect(again.logs.contains { $0.level == .notice && $0.message.contains("GR-1") })
        #expect(try warehouse.stock("PUMP-200").onHand == 5)
        #expect(try warehouse.stock("VALVE-DN50").onHand == 5)
    }

    @Test("a receipt without a positive quantity is refused (dead letter), nothing booked")
    func nonPositiveQuantityRefused() throws {
        let warehouse = Warehouse()
        #expect(throws: RuleViolation.self) { try warehouse.receive(0, of: "PUMP-200") }
        #expect(throws: RuleViolation.self) {
            try warehouse.send(StockInTransit(sku: "PUMP-200", quantity: -2, reference: "PO-1"))
        }
        #expect(try WarehouseRules.stockLevels(in: warehouse.state).isEmpty)
    }

    @Test("stockLevels lists every SKU with on hand, reserved, in transit and available")
    func stockLevels() throws {
        let warehouse = Warehouse()
        try warehouse.receive(10, of: "PUMP-200")
        try warehouse.send(StockInTransit(sku: "VALVE-DN50", quantity: 4, reference: "PO-9"))
        try warehouse.release(Fixture.order(1, [("PUMP-200", 7)]))

        let levels = try WarehouseRules.stockLevels(in: warehouse.state)

        #expect(levels.count == 2)
        let pump = try #require(levels["PUMP-200"])
        #expect(pump.onHand == 10)
        #expect(pump.reserved == 7)
        #expect(pump.inTransit == 0)
        #expect(pump.available == 3)
        #expect(levels["VALVE-DN50"] == StockLevel(onHand: 0, reserved: 0, inTransit: 4))
    }
}
