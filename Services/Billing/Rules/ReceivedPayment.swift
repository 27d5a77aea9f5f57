import Foundation
import OrderModel

/// One `payment.received` billing recorded for an order.
public struct ReceivedPayment: Codable, Sendable, Hashable {
    public var reference: String
    public var amount: Money
    public var receivedAt: Date
    /// Not in the order's currency: never applied, reported as refund due.
    public var refused = false

    public init(reference: String, amount: Money, receivedAt: Date) {
        self.reference = reference
        self.amount = amount
        self.receivedAt = receivedAt
    }
}
