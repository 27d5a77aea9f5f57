import Foundation
import DepartmentKit
import OrderModel

extension WarehouseRules {
    /// `stock.received`: on hand grows, in transit shrinks by as much (not below zero),
    /// then the backorder queue is served. The same receipt (SKU and reference) booked
    /// again under another event id changes nothing.
    func book(_ received: StockReceived, state: any StateStore, context: HandlerContext) throws -> HandlerOutcome {
        var outcome = HandlerOutcome()
        guard received.quantity > 0 else {
            throw RuleViolation("stock.received for \(received.sku) (\(received.reference)) has quantity \(received.quantity); it must be > 0")
        }
        let movement = WarehouseStockMovementRecord(movement: .received, sku: received.sku, quantity: received.quantity,
                                                    reference: received.reference)
        guard try isNew(movement, state: state, into: &outcome) else { return outcome }
        let stock = try StockLedger(state: state).receive(received.quantity, of: received.sku)
        outcome.log(.info, "received \(received.quantity) × \(received.sku) (\(received.reference)): on hand \(stock.onHand), reserved \(stock.reserved), in transit \(stock.inTransit)")
        try fillBackorders(state: state, into: &outcome, context: context)
        return outcome
    }

    /// `stock.in-transit`: the units count as in transit until they are received. The same
    /// announcement (SKU and reference) booked again changes nothing.
    func book(_ announced: StockInTransit, state: any StateStore, context: HandlerContext) throws -> HandlerOutcome {
        var outcome = HandlerOutcome()
        guard announced.quantity > 0 else {
            throw RuleViolation("stock.in-transit for \(announced.sku) (\(announced.reference)) has quantity \(announced.quantity); it must be > 0")
        }
        let movement = WarehouseStockMovementRecord(movement: .inTransit, sku: announced.sku, quantity: announced.quantity,
                                                    reference: announced.reference)
        guard try isNew(movement, state: state, into: &outcome) else { return outcome }
        let stock = try StockLedger(state: state).expect(announced.quantity, of: announced.sku)
        outcome.log(.info, "\(announced.quantity) × \(announced.sku) on the way (\(announced.reference)): in transit \(stock.inTransit)")
        return outcome
    }

    /// Remembers `movement` and says whether it is booked for the first time. A movement
    /// without a reference can't be recognised again and is always booked.
    private func isNew(_ movement: WarehouseStockMovementRecord, state: any StateStore,
                       into outcome: inout HandlerOutcome) throws -> Bool {
        guard !movement.reference.isEmpty else { return true }
        if let booked = try state.get(WarehouseStockMovementRecord.self, movement.key) {
            outcome.log(.notice, "\(movement.movement.rawValue) \(movement.sku) reference \(movement.reference) was already booked (\(booked.quantity) units); ignored")
            return false
        }
        try state.put(movement, movement.key)
        return true
    }
}
