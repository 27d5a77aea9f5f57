import Foundation

/// One status change of an order, on `orders.status` (key = order id). Contract v1: `data`
/// always carries `orderId`, `channel`, `externalOrderId`, `status`, and `reasons` for
/// `rejected` and `cancelled`.
public struct OrderStatusChanged: EventPayload {
    public static let eventType = "order.status-changed"
    public static let dataVersion = 1

    public var orderId: OrderID
    public var channel: String
    public var externalOrderId: String
    public var status: OrderStatus
    public var reasons: [Reason]?
    /// The department that made the change.
    public var department: String
    public var at: Date
    /// Status-specific facts as strings (carrier, trackingNumber, invoiceId, amountDue …).
    public var details: [String: String]?

    public init(ref: OrderRef, status: OrderStatus, reasons: [Reason]?, department: String, at: Date,
                details: [String: String]? = nil) {
        self.orderId = ref.orderId
        self.channel = ref.channel
        self.externalOrderId = ref.externalOrderId
        self.status = status
        self.reasons = reasons
        self.department = department
        self.at = at
        self.details = details
    }

    public var ref: OrderRef { OrderRef(orderId: orderId, channel: channel, externalOrderId: externalOrderId) }
}

/// A stage took longer than its time limit (on `orders.status`). Published once per order
/// and stage.
public struct SLABreached: EventPayload {
    public static let eventType = "order.sla-breached"
    public static let dataVersion = 1

    public var orderId: OrderID
    public var channel: String
    public var externalOrderId: String
    /// The stage, e.g. `review`, `fulfilment`, `delivery`.
    public var stage: String
    /// The status the order has been waiting in.
    public var status: OrderStatus
    public var since: Date
    public var limitSeconds: Int
    public var department: String
    public var at: Date

    public init(ref: OrderRef, stage: String, status: OrderStatus, since: Date, limitSeconds: Int, department: String, at: Date) {
        self.orderId = ref.orderId
        self.channel = ref.channel
        self.externalOrderId = ref.externalOrderId
        self.stage = stage
        self.status = status
        self.since = since
        self.limitSeconds = limitSeconds
        self.department = department
        self.at = at
    }
}

/// A cancellation or change that could not be carried out, and why (on `orders.status`).
/// The order's status does not change.
public struct RequestRefused: EventPayload {
    public static let eventType = "order.request-refused"
    public static let dataVersion = 1

    public enum Request: String, Codable, Sendable, Hashable { case cancellation, change }

    public var orderId: OrderID
    public var channel: String
    public var externalOrderId: String
    public var request: Request
    /// The order's status at the time of the refusal.
    public var status: OrderStatus
    public var reasons: [Reason]
    public var department: String
    public var at: Date

    public init(ref: OrderRef, request: Request, status: OrderStatus, reasons: [Reason], department: String, at: Date) {
        self.orderId = ref.orderId
        self.channel = ref.channel
        self.externalOrderId = ref.externalOrderId
        self.request = request
        self.status = status
        self.reasons = reasons
        self.department = department
        self.at = at
    }
}

/// Billing's notices about money owed (on `orders.status`, for customer notifications and
/// collections): reminders, escalations and credit notes.
public struct BillingNotice: EventPayload {
    public static let eventType = "billing.notice"
    public static let dataVersion = 1

    public enum Kind: String, Codable, Sendable, Hashable {
        /// Payment is overdue; a reminder goes to the customer.
        case reminder
        /// Still unpaid long after the due date: collections take over.
        case escalation
        /// A credit note was issued (cancellation after invoicing or deposit, dispute).
        case creditNote = "credit_note"
        /// More money arrived than was owed; the surplus is held as credit.
        case overpayment
        /// An unpaid invoice was voided.
        case invoiceVoided = "invoice_voided"
        /// A payment was not applied (e.g. not in the order's currency); it is to be refunded.
        case paymentRefused = "payment_refused"
        /// The customer disputes the delivery: reminders and escalation are held.
        case remindersHeld = "reminders_held"
    }

    public var orderId: OrderID
    public var channel: String
    public var externalOrderId: String
    public var kind: Kind
    public var invoiceId: String?
    public var amount: Money
    public var dueDate: LocalDate?
    public var at: Date
    public var message: String

    public init(ref: OrderRef, kind: Kind, invoiceId: String?, amount: Money, dueDate: LocalDate?, at: Date, message: String) {
        self.orderId = ref.orderId
        self.channel = ref.channel
        self.externalOrderId = ref.externalOrderId
        self.kind = kind
        self.invoiceId = invoiceId
        self.amount = amount
        self.dueDate = dueDate
        self.at = at
        self.message = message
    }
}

/// The warehouse lacks stock for an order: a replenishment request and shortage alert
/// for procurement (on `orders.replenishment`, key = SKU).
public struct ReplenishmentRequested: EventPayload {
    public static let eventType = "stock.replenishment-requested"
    public static let dataVersion = 1

    public var sku: SKU
    public var quantityShort: Int
    public var neededBy: LocalDate?
    public var orderId: OrderID
    public var onHand: Int
    public var reserved: Int
    public var inTransit: Int

    public init(sku: SKU, quantityShort: Int, neededBy: LocalDate?, orderId: OrderID, onHand: Int, reserved: Int, inTransit: Int) {
        self.sku = sku
        self.quantityShort = quantityShort
        self.neededBy = neededBy
        self.orderId = orderId
        self.onHand = onHand
        self.reserved = reserved
        self.inTransit = inTransit
    }
}
