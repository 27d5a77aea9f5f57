import DepartmentKit
import OrderModel

/// A cancellation or change that reached the warehouse before the order itself (kind
/// `warehouse.awaited-request`, key = order id): carried out the moment `order.released`
/// arrives, before anything is reserved. A cancellation wins over a change.
public struct WarehouseAwaitedRequestRecord: StateRecord, Hashable {
    public static let kind = "warehouse.awaited-request"

    public var orderId: OrderID
    public var cancellation: CancellationRequested?
    public var change: ChangeRequested?

    public init(orderId: OrderID, cancellation: CancellationRequested? = nil, change: ChangeRequested? = nil) {
        self.orderId = orderId
        self.cancellation = cancellation
        self.change = change
    }
}
