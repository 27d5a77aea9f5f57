import Foundation
import OrderModel

/// An invoice for one shipment: exactly the shipped lines, tax rounded per line.
public struct Invoice: Codable, Sendable, Hashable {
    /// `INV-<orderId>-<n>`.
    public var id: String
    /// The shipment it bills; one invoice per shipment, never two.
    public var shipmentId: String
    /// Net (sum of line nets), tax (sum of per-line rounded tax) and gross (net + tax).
    public var totals: Totals
    /// The ship date plus the order's payment terms.
    public var dueDate: LocalDate
    /// Money applied to this invoice so far.
    public var paid: Money
    /// Voided because the order was cancelled before it was paid.
    public var voided = false
    /// The `overdue` status was published for it.
    public var reportedOverdue = false
    /// When the last reminder for it went out.
    public var lastReminderAt: Date?
    /// It was escalated to collections.
    public var escalated = false

    public init(id: String, shipmentId: String, totals: Totals, dueDate: LocalDate) {
        self.id = id
        self.shipmentId = shipmentId
        self.totals = totals
        self.dueDate = dueDate
        self.paid = .zero(totals.gross.currency)
    }

    /// What is still owed on it (zero when voided).
    public var open: Money { voided ? .zero(paid.currency) : totals.gross.subtractingClamped(paid) }

    /// Not voided and not paid in full.
    public var isOpen: Bool { open.isPositive }
}
