import Foundation
import DepartmentKit
import OrderModel

extension WarehouseRules {
    /// `order.released`: reserve every line or none. Everything available → `allocated`,
    /// picking starts. Anything short → `backordered`, a replenishment request per short
    /// SKU, and the order joins the backorder queue. A cancellation or change that came
    /// first is carried out instead. A repeat for an order already here changes nothing;
    /// an order back from review after a change is released afresh.
    func accept(_ released: OrderReleased, state: any StateStore, context: HandlerContext) throws -> HandlerOutcome {
        var outcome = HandlerOutcome()
        let order = released.order
        if let known = try state.warehouseOrder(order.id), known.stage != .returnedForChange {
            outcome.log(.notice, "order.released for \(order.id) again while it is \(known.stage.rawValue) here; ignored")
            return outcome
        }
        let ledger = StockLedger(state: state)
        var record = WarehouseOrderRecord(order: order, stage: .backordered, status: .backordered,
                                          releaseSequence: try state.nextSequence("warehouse.release"))
        if let awaited = try state.get(WarehouseAwaitedRequestRecord.self, order.id.rawValue) {
            try state.remove(WarehouseAwaitedRequestRecord.self, order.id.rawValue)
            if let cancellation = awaited.cancellation {
                try cancel(&record, as: cancellation, ledger: ledger, into: &outcome, context: context)
                try save(record, in: state)
                return outcome
            }
            if let change = awaited.change {
                try returnForChange(&record, change, ledger: ledger, into: &outcome)
                try save(record, in: state)
                return outcome
            }
        }
        let shortages = try allocate(&record, ledger: ledger, into: &outcome, context: context)
        if !shortages.isEmpty {
            try backorder(&record, short: shortages, ledger: ledger, into: &outcome, context: context)
        }
        try save(record, in: state)
        return outcome
    }

    /// Reserves everything `record`'s order needs or nothing; on success the order is
    /// `allocated` and waits to be picked. Returns the shortages when nothing was reserved.
    func allocate(_ record: inout WarehouseOrderRecord, ledger: StockLedger, into outcome: inout HandlerOutcome,
                  context: HandlerContext, details: [String: String]? = nil) throws -> [Shortage] {
        let shortages = try ledger.reserveAll(record.demand)
        guard shortages.isEmpty else { return shortages }
        record.reserved = record.demand
        record.stage = .picking
        record.status = .allocated
        record.attempt = 1
        record.allocatedAt = context.now
        record.fulfilmentLimitBreached = false
        record.stepDueAt = context.now.addingTimeInterval(config.duration(of: .picked))
        outcome.status(record.order.ref, .allocated, department: department, at: context.now, details: details)
        return []
    }

    /// Puts the order in the backorder queue and asks procurement for each short SKU.
    func backorder(_ record: inout WarehouseOrderRecord, short shortages: [Shortage], ledger: StockLedger,
                   into outcome: inout HandlerOutcome, context: HandlerContext) throws {
        let order = record.order
        record.stage = .backordered
        record.status = .backordered
        let skus = shortages.map(\.sku.rawValue).joined(separator: ",")
        outcome.status(order.ref, .backordered, department: department, at: context.now, details: ["shortSkus": skus])
        for shortage in shortages {
            let stock = try ledger.record(shortage.sku)
            let request = ReplenishmentRequested(sku: shortage.sku, quantityShort: shortage.quantityShort,
                                                 neededBy: neededBy(shortage.sku, in: order, today: context.today),
                                                 orderId: order.id, onHand: stock.onHand, reserved: stock.reserved,
                                                 inTransit: stock.inTransit)
            outcome.emit(request, to: .replenishment, key: shortage.sku.rawValue, correlationId: order.ref.correlationId)
        }
    }

    /// When the goods must be here: the requested delivery date, or else today plus the
    /// longest lead time of the SKU's lines.
    func neededBy(_ sku: SKU, in order: Order, today: LocalDate) -> LocalDate {
        if let requested = order.requestedDeliveryDate { return requested }
        let leadTime = order.lines.filter { $0.sku == sku }.map(\.leadTimeDays).max() ?? 0
        return today.adding(days: leadTime)
    }
}
