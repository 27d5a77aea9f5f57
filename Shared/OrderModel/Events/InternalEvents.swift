import Foundation

// Events that departments send each other. Each carries the order's identity (`OrderRef`
// or the whole `Order`), so the receiver can publish status events on its own.

/// Intake accepted a submission (intake → `orders.review`).
public struct OrderReceived: EventPayload {
    public static let eventType = "order.received"
    public static let dataVersion = 1
    public var order: Order
    public init(order: Order) { self.order = order }
}

/// Review released an order to the warehouse: approved, deposit settled where one was
/// needed (review → `orders.warehouse`). Also sent again after an approved change.
public struct OrderReleased: EventPayload {
    public static let eventType = "order.released"
    public static let dataVersion = 1
    public var order: Order
    public init(order: Order) { self.order = order }
}

/// Review asks billing to collect a deposit before made-to-order goods are produced
/// (review → `orders.billing`).
public struct DepositRequested: EventPayload {
    public static let eventType = "deposit.requested"
    public static let dataVersion = 1
    public var ref: OrderRef
    public var customerId: CustomerID
    public var amount: Money
    public var orderTotal: Money
    public var paymentTermsDays: Int

    public init(ref: OrderRef, customerId: CustomerID, amount: Money, orderTotal: Money, paymentTermsDays: Int) {
        self.ref = ref
        self.customerId = customerId
        self.amount = amount
        self.orderTotal = orderTotal
        self.paymentTermsDays = paymentTermsDays
    }
}

/// Billing reports a requested deposit paid in full (billing → `orders.review`).
public struct DepositPaid: EventPayload {
    public static let eventType = "deposit.paid"
    public static let dataVersion = 1
    public var ref: OrderRef
    public var amount: Money
    public init(ref: OrderRef, amount: Money) {
        self.ref = ref
        self.amount = amount
    }
}

/// Billing applied money to an order, lowering the customer's open exposure
/// (billing → `orders.review`, which keeps credit exposure).
public struct PaymentApplied: EventPayload {
    public static let eventType = "payment.applied"
    public static let dataVersion = 1
    public var ref: OrderRef
    public var customerId: CustomerID
    public var amount: Money
    public init(ref: OrderRef, customerId: CustomerID, amount: Money) {
        self.ref = ref
        self.customerId = customerId
        self.amount = amount
    }
}

/// The warehouse packed and inspected an order and hands it to logistics
/// (warehouse → `orders.logistics`).
public struct OrderPacked: EventPayload {
    public static let eventType = "order.packed"
    public static let dataVersion = 1
    public var order: Order
    public var packages: Int
    public init(order: Order, packages: Int) {
        self.order = order
        self.packages = packages
    }
}

/// An order was cancelled by the department that held it; the others compensate
/// (release stock, void or credit, lower exposure). Sent to review and billing.
public struct OrderCancelled: EventPayload {
    public static let eventType = "order.cancelled"
    public static let dataVersion = 1
    public var ref: OrderRef
    public var customerId: CustomerID
    public var reasons: [Reason]
    /// The department that cancelled (`review`, `warehouse`, `logistics`).
    public var cancelledBy: String
    public init(ref: OrderRef, customerId: CustomerID, reasons: [Reason], cancelledBy: String) {
        self.ref = ref
        self.customerId = customerId
        self.reasons = reasons
        self.cancelledBy = cancelledBy
    }
}

/// The warehouse returns an order to review after a change request, having released its
/// stock (warehouse → `orders.review`).
public struct OrderReturnedForChange: EventPayload {
    public static let eventType = "order.returned-for-change"
    public static let dataVersion = 1
    public var orderId: OrderID
    public var change: ChangeRequested
    public init(orderId: OrderID, change: ChangeRequested) {
        self.orderId = orderId
        self.change = change
    }
}

/// Logistics dispatched a shipment (logistics → `orders.billing`, which invoices exactly
/// what is listed in `lines`).
public struct ShipmentDispatched: EventPayload {
    public static let eventType = "shipment.dispatched"
    public static let dataVersion = 1
    public var order: Order
    public var shipmentId: String
    public var carrier: String
    public var trackingNumber: String
    public var lines: [OrderLine]
    public var shippedAt: Date
    public var estimatedDelivery: Date?
    /// True for a replacement of a damaged or lost shipment: not invoiced again.
    public var isReplacement: Bool

    public init(order: Order, shipmentId: String, carrier: String, trackingNumber: String, lines: [OrderLine],
                shippedAt: Date, estimatedDelivery: Date?, isReplacement: Bool = false) {
        self.order = order
        self.shipmentId = shipmentId
        self.carrier = carrier
        self.trackingNumber = trackingNumber
        self.lines = lines
        self.shippedAt = shippedAt
        self.estimatedDelivery = estimatedDelivery
        self.isReplacement = isReplacement
    }
}

/// The customer has the goods (logistics → `orders.billing`): an order paid in full and
/// delivered is completed.
public struct ShipmentDelivered: EventPayload {
    public static let eventType = "shipment.delivered"
    public static let dataVersion = 1
    public var ref: OrderRef
    public var shipmentId: String
    public var deliveredAt: Date
    public init(ref: OrderRef, shipmentId: String, deliveredAt: Date) {
        self.ref = ref
        self.shipmentId = shipmentId
        self.deliveredAt = deliveredAt
    }
}

/// The customer disputes a delivery (logistics → `orders.billing`): billing holds
/// reminders and issues a credit note when the dispute is settled in the customer's favour.
public struct DeliveryDisputed: EventPayload {
    public static let eventType = "delivery.disputed"
    public static let dataVersion = 1
    public var ref: OrderRef
    public var reason: String?
    public init(ref: OrderRef, reason: String?) {
        self.ref = ref
        self.reason = reason
    }
}
