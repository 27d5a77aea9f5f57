import DepartmentKit
import OrderModel

/// One SKU's stock as operations see it: on hand, reserved for orders, on its way, and
/// what is left to promise (`available` = onHand − reserved).
public struct StockLevel: Codable, Sendable, Hashable {
    public var onHand: Int
    public var reserved: Int
    public var inTransit: Int
    public var available: Int

    public init(onHand: Int, reserved: Int, inTransit: Int) {
        self.onHand = onHand
        self.reserved = reserved
        self.inTransit = inTransit
        self.available = max(0, onHand - reserved)
    }

    init(_ record: WarehouseStockRecord) {
        self.init(onHand: record.onHand, reserved: record.reserved, inTransit: record.inTransit)
    }
}

extension WarehouseRules {
    /// Every SKU the warehouse has a ledger for, with its stock level (read-only, for ops
    /// endpoints and tools).
    public static func stockLevels(in state: any StateStore) throws -> [SKU: StockLevel] {
        var levels: [SKU: StockLevel] = [:]
        for (_, record) in try state.all(WarehouseStockRecord.self) {
            levels[record.sku] = StockLevel(record)
        }
        return levels
    }
}
