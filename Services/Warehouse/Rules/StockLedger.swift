import DepartmentKit
import OrderModel

/// The warehouse's stock books over the state store: every movement of units goes
/// through here, so that reserved never exceeds on hand and nothing is reserved twice.
struct StockLedger {
    let state: any StateStore

    /// The ledger of `sku` (all zero for a SKU never seen).
    func record(_ sku: SKU) throws -> WarehouseStockRecord {
        try state.get(WarehouseStockRecord.self, sku.rawValue) ?? WarehouseStockRecord(sku: sku)
    }

    func save(_ record: WarehouseStockRecord) throws {
        try state.put(record, record.sku.rawValue)
    }

    /// The SKUs of `demand` that are not available in full (empty when all are).
    func shortages(for demand: StockDemand) throws -> [Shortage] {
        try demand.items.compactMap { item in
            let available = try record(item.sku).available
            return item.quantity > available ? Shortage(sku: item.sku, needed: item.quantity, available: available) : nil
        }
    }

    /// Reserves all of `demand`, or nothing: when any SKU is short, changes nothing and
    /// returns the shortages; returns an empty list when everything was reserved.
    func reserveAll(_ demand: StockDemand) throws -> [Shortage] {
        let shortages = try shortages(for: demand)
        guard shortages.isEmpty else { return shortages }
        for item in demand.items {
            var ledger = try record(item.sku)
            ledger.reserved += item.quantity
            try save(ledger)
        }
        return []
    }

    /// Gives reserved units back to what is available (cancellation, change).
    func release(_ demand: StockDemand) throws {
        for item in demand.items {
            var ledger = try record(item.sku)
            ledger.reserved = max(0, ledger.reserved - item.quantity)
            try save(ledger)
        }
    }

    /// Reserved units leave the warehouse (handed to logistics): off the shelves and off
    /// the reservations.
    func issue(_ demand: StockDemand) throws {
        for item in demand.items {
            var ledger = try record(item.sku)
            ledger.onHand = max(0, ledger.onHand - item.quantity)
            ledger.reserved = max(0, ledger.reserved - item.quantity)
            try save(ledger)
        }
    }

    /// Goods arrived: on hand grows; what was announced in transit shrinks by as much.
    func receive(_ quantity: Int, of sku: SKU) throws -> WarehouseStockRecord {
        var ledger = try record(sku)
        ledger.onHand += quantity
        ledger.inTransit -= min(quantity, ledger.inTransit)
        try save(ledger)
        return ledger
    }

    /// Goods were announced on their way.
    func expect(_ quantity: Int, of sku: SKU) throws -> WarehouseStockRecord {
        var ledger = try record(sku)
        ledger.inTransit += quantity
        try save(ledger)
        return ledger
    }
}
