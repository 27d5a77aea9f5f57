import Foundation

// Events that outside parties send to a department's topic (contract v1 table), plus
// OrderFlow's own additions for people and feeds (order change, warehouse task
// confirmations, delivery acceptance).

/// A reviewer's decision on an order in `pending_approval` (on `orders.review`).
public struct ReviewDecided: EventPayload {
    public static let eventType = "review.decided"
    public static let dataVersion = 1

    /// `approve` or `reject`.
    public enum Decision: String, Codable, Sendable, Hashable { case approve, reject }

    public var orderId: OrderID
    public var decision: Decision
    public var reviewer: String
    public var comment: String?

    public init(orderId: OrderID, decision: Decision, reviewer: String, comment: String? = nil) {
        self.orderId = orderId
        self.decision = decision
        self.reviewer = reviewer
        self.comment = comment
    }
}

/// The customer or sales asks to cancel an order (on `orders.review`). Review cancels what
/// it still holds and forwards the request down the line (warehouse, then logistics) to
/// the department that holds the order; after shipment it is refused.
public struct CancellationRequested: EventPayload {
    public static let eventType = "order.cancellation-requested"
    public static let dataVersion = 1

    public var orderId: OrderID
    public var reason: String?
    /// Who asked (customer, sales user); optional.
    public var requestedBy: String?

    public init(orderId: OrderID, reason: String?, requestedBy: String? = nil) {
        self.orderId = orderId
        self.reason = reason
        self.requestedBy = requestedBy
    }
}

/// The customer or sales changes an order before shipment: new quantities per SKU (0
/// removes the line) and/or a new requested delivery date (on `orders.review`). The
/// changed order goes through review again.
public struct ChangeRequested: EventPayload {
    public static let eventType = "order.change-requested"
    public static let dataVersion = 1

    public struct LineChange: Codable, Sendable, Hashable {
        public var sku: SKU
        public var quantity: Int
        public init(sku: SKU, quantity: Int) {
            self.sku = sku
            self.quantity = quantity
        }
    }

    public var orderId: OrderID
    public var lines: [LineChange]?
    public var requestedDeliveryDate: LocalDate?
    public var requestedBy: String?

    public init(orderId: OrderID, lines: [LineChange]?, requestedDeliveryDate: LocalDate?, requestedBy: String? = nil) {
        self.orderId = orderId
        self.lines = lines
        self.requestedDeliveryDate = requestedDeliveryDate
        self.requestedBy = requestedBy
    }
}

/// Goods arrived from production or procurement (on `orders.warehouse`, key = SKU).
public struct StockReceived: EventPayload {
    public static let eventType = "stock.received"
    public static let dataVersion = 1

    public var sku: SKU
    public var quantity: Int
    public var reference: String

    public init(sku: SKU, quantity: Int, reference: String) {
        self.sku = sku
        self.quantity = quantity
        self.reference = reference
    }
}

/// Procurement confirms goods on their way (on `orders.warehouse`): counted as in transit
/// until the matching `stock.received`.
public struct StockInTransit: EventPayload {
    public static let eventType = "stock.in-transit"
    public static let dataVersion = 1

    public var sku: SKU
    public var quantity: Int
    public var reference: String
    public var expectedOn: LocalDate?

    public init(sku: SKU, quantity: Int, reference: String, expectedOn: LocalDate? = nil) {
        self.sku = sku
        self.quantity = quantity
        self.reference = reference
        self.expectedOn = expectedOn
    }
}

/// A warehouse worker confirms a step for an order (on `orders.warehouse`) when the
/// warehouse is not in demo mode. `passed` matters for `inspected` only.
public struct WarehouseTaskCompleted: EventPayload {
    public static let eventType = "warehouse.task-completed"
    public static let dataVersion = 1

    public enum Step: String, Codable, Sendable, Hashable, CaseIterable { case picked, checked, packed, inspected }

    public var orderId: OrderID
    public var step: Step
    public var passed: Bool?
    public var by: String?
    public var note: String?

    public init(orderId: OrderID, step: Step, passed: Bool? = nil, by: String? = nil, note: String? = nil) {
        self.orderId = orderId
        self.step = step
        self.passed = passed
        self.by = by
        self.note = note
    }
}

/// A carrier's scan (on `orders.logistics`). The simulated carrier of demo mode sends the
/// same events.
public struct ShipmentTrackingUpdated: EventPayload {
    public static let eventType = "shipment.tracking-updated"
    public static let dataVersion = 1

    public enum Scan: String, Codable, Sendable, Hashable { case inTransit = "in_transit", delayed, exception, delivered }
    /// For `exception`: what happened.
    public enum ExceptionKind: String, Codable, Sendable, Hashable { case damaged, lost, other }

    public var orderId: OrderID
    public var trackingNumber: String
    public var event: Scan
    public var at: Date
    /// For `delayed`: the new estimated arrival.
    public var eta: Date?
    public var exception: ExceptionKind?
    public var detail: String?

    public init(orderId: OrderID, trackingNumber: String, event: Scan, at: Date, eta: Date? = nil,
                exception: ExceptionKind? = nil, detail: String? = nil) {
        self.orderId = orderId
        self.trackingNumber = trackingNumber
        self.event = event
        self.at = at
        self.eta = eta
        self.exception = exception
        self.detail = detail
    }
}

/// The customer's answer to a delivery (on `orders.logistics`): accepted, or disputed with
/// a reason.
public struct DeliveryResponded: EventPayload {
    public static let eventType = "delivery.responded"
    public static let dataVersion = 1

    public enum Response: String, Codable, Sendable, Hashable { case accepted, disputed }

    public var orderId: OrderID
    public var response: Response
    public var reason: String?

    public init(orderId: OrderID, response: Response, reason: String? = nil) {
        self.orderId = orderId
        self.response = response
        self.reason = reason
    }
}

/// Money arrived for an order (on `orders.billing`): may be partial, may be a deposit,
/// may be more than owed.
public struct PaymentReceived: EventPayload {
    public static let eventType = "payment.received"
    public static let dataVersion = 1

    public var orderId: OrderID
    public var amount: DecimalString
    public var currency: String
    public var reference: String

    public init(orderId: OrderID, amount: DecimalString, currency: String, reference: String) {
        self.orderId = orderId
        self.amount = amount
        self.currency = currency
        self.reference = reference
    }

    /// The payment as money.
    public var money: Money { Money(amount.value, currency) }
}
