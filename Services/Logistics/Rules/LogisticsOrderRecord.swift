import Foundation
import DepartmentKit
import OrderModel

/// What logistics knows about one order it received from the warehouse (kind
/// `logistics.order`, key = order id).
public struct LogisticsOrderRecord: StateRecord, Hashable {
    public static let kind = "logistics.order"

    public var order: Order
    /// Every shipment of the order, oldest first; the last one is the current one.
    public var shipments: [Shipment]
    /// The last status logistics published for the order.
    public var status: OrderStatus
    /// When the carrier reported the delivery.
    public var deliveredAt: Date?
    /// The customer's last answer to the delivery that was published.
    public var deliveryResponse: DeliveryResponded.Response?
    /// The delivery stage limit was reported (once per order).
    public var deliveryLimitBreached = false

    public init(order: Order, shipments: [Shipment], status: OrderStatus) {
        self.order = order
        self.shipments = shipments
        self.status = status
    }

    /// The shipment that counts now (the latest one).
    public var current: Shipment {
        get { shipments[shipments.count - 1] }
        set { shipments[shipments.count - 1] = newValue }
    }

    public var isDelivered: Bool { deliveredAt != nil }
}

/// Marks an order whose current shipment is underway (kind `logistics.in-flight`, key =
/// order id), so the timer looks at these orders only, not at every order ever shipped.
public struct LogisticsInFlightRecord: StateRecord {
    public static let kind = "logistics.in-flight"
    public var orderId: OrderID
    public init(orderId: OrderID) { self.orderId = orderId }
}

extension StateStore {
    /// Stores `record` and keeps the in-flight index in step with its current shipment.
    func save(_ record: LogisticsOrderRecord) throws {
        let key = record.order.id.rawValue
        try put(record, key)
        if record.current.progress == .underway {
            try put(LogisticsInFlightRecord(orderId: record.order.id), key)
        } else {
            try remove(LogisticsInFlightRecord.self, key)
        }
    }
}
