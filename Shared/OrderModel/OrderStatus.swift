/// The status of an order as published on `orders.status` (contract v1 plus additions).
///
/// Decoding is tolerant: a status this build does not know is kept as its raw value, so a
/// newer producer never breaks an older reader.
public struct OrderStatus: RawRepresentable, Codable, Sendable, Hashable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }

    // Contract v1
    public static let received: OrderStatus = "received"
    public static let rejected: OrderStatus = "rejected"
    public static let pendingApproval: OrderStatus = "pending_approval"
    public static let approved: OrderStatus = "approved"
    public static let awaitingDeposit: OrderStatus = "awaiting_deposit"
    public static let backordered: OrderStatus = "backordered"
    public static let allocated: OrderStatus = "allocated"
    public static let packed: OrderStatus = "packed"
    public static let qcFailed: OrderStatus = "qc_failed"
    public static let shipped: OrderStatus = "shipped"
    public static let delivered: OrderStatus = "delivered"
    public static let invoiced: OrderStatus = "invoiced"
    public static let paid: OrderStatus = "paid"
    public static let completed: OrderStatus = "completed"
    public static let cancelled: OrderStatus = "cancelled"

    // Additions (documented in docs/contract)
    /// A carrier reported the shipment moving.
    public static let inTransit: OrderStatus = "in_transit"
    /// The carrier announced a later delivery; `details.eta` says when.
    public static let delayed: OrderStatus = "delayed"
    /// Damaged or lost in transit; a replacement shipment or a claim follows.
    public static let deliveryException: OrderStatus = "delivery_exception"
    /// The customer accepted the delivery.
    public static let accepted: OrderStatus = "accepted"
    /// The customer disputes the delivery.
    public static let disputed: OrderStatus = "disputed"
    /// Some money arrived but not all that is owed; `details` says how much is open.
    public static let partiallyPaid: OrderStatus = "partially_paid"
    /// The invoice is past its due date and not paid in full.
    public static let overdue: OrderStatus = "overdue"

    /// Every status of contract v1, in the order of the happy path where there is one.
    public static let contractV1: [OrderStatus] = [
        .received, .rejected, .pendingApproval, .approved, .awaitingDeposit, .backordered, .allocated,
        .packed, .qcFailed, .shipped, .delivered, .invoiced, .paid, .completed, .cancelled,
    ]

    /// Statuses after which nothing more happens to the order.
    public var isFinal: Bool { self == .rejected || self == .cancelled || self == .completed }
}

extension OrderStatus: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) { self.init(rawValue: value) }
}

extension OrderStatus {
    public init(from decoder: any Decoder) throws {
        self.init(rawValue: try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}
