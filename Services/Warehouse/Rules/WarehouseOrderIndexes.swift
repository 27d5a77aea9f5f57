import DepartmentKit
import OrderModel

/// An order waiting in the backorder queue (kind `warehouse.backorder`, key = order id),
/// with what the queue is sorted by: priority (rush first), then release order.
public struct WarehouseBackorderRecord: StateRecord, Hashable {
    public static let kind = "warehouse.backorder"

    public var orderId: OrderID
    public var priority: Priority
    public var releaseSequence: Int64

    public init(orderId: OrderID, priority: Priority, releaseSequence: Int64) {
        self.orderId = orderId
        self.priority = priority
        self.releaseSequence = releaseSequence
    }

    /// Whether this entry is served before `other`.
    func isServed(before other: WarehouseBackorderRecord) -> Bool {
        if priority != other.priority { return priority > other.priority }
        return releaseSequence < other.releaseSequence
    }
}
