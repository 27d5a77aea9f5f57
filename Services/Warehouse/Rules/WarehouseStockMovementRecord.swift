import DepartmentKit
import OrderModel

/// A stock movement already booked (kind `warehouse.stock-movement`, key =
/// `<received|in-transit>|<SKU>|<reference>`), so the same receipt or announcement sent
/// twice under different event ids is booked once.
public struct WarehouseStockMovementRecord: StateRecord, Hashable {
    public static let kind = "warehouse.stock-movement"

    public enum Movement: String, Codable, Sendable, Hashable { case received, inTransit = "in-transit" }

    public var movement: Movement
    public var sku: SKU
    public var quantity: Int
    public var reference: String

    public init(movement: Movement, sku: SKU, quantity: Int, reference: String) {
        self.movement = movement
        self.sku = sku
        self.quantity = quantity
        self.reference = reference
    }

    public var key: String { "\(movement.rawValue)|\(sku.rawValue)|\(reference)" }
}
