import DepartmentKit
import OrderModel

/// The ledger of one SKU (kind `warehouse.stock`, key = SKU): units on the shelves, units
/// of those promised to orders, and units announced on their way.
public struct WarehouseStockRecord: StateRecord, Hashable {
    public static let kind = "warehouse.stock"

    public var sku: SKU
    /// Units physically in the warehouse (reserved ones included).
    public var onHand: Int
    /// Units on hand that are promised to allocated orders. Never more than `onHand`.
    public var reserved: Int
    /// Units procurement or production announced (`stock.in-transit`) and not yet received.
    public var inTransit: Int

    public init(sku: SKU, onHand: Int = 0, reserved: Int = 0, inTransit: Int = 0) {
        self.sku = sku
        self.onHand = onHand
        self.reserved = reserved
        self.inTransit = inTransit
    }

    /// Units that a new order may still reserve.
    public var available: Int { max(0, onHand - reserved) }
}
