import Foundation
import DepartmentKit
import OrderModel

/// Billing's ledger for one order (kind `billing.order`, key = order id): the deposit
/// asked for, the money received, the invoices and what was applied to them, and the
/// flags that make every status and notice happen once.
///
/// Money flows one way: payments are *received*; received money not yet applied is the
/// order's *credit* (a deposit, a prepayment, a surplus); credit is *applied* to open
/// invoices, oldest first; on cancellation what is left is *refunded* (a credit note).
public struct BillingAccount: StateRecord, Hashable {
    public static let kind = "billing.order"

    public var orderId: OrderID
    /// Known once any department's event about the order arrived (not from a bare payment).
    public var ref: OrderRef?
    public var customerId: CustomerID?
    /// The order's currency, once known (deposit request, shipment or first payment on cancellation).
    public var currency: String?
    public var paymentTermsDays: Int?
    /// The deposit review asked for, if any.
    public var depositRequested: Money?
    /// `deposit.paid` was sent for the current deposit request.
    public var reportedDepositPaid = false
    public var payments: [ReceivedPayment] = []
    public var invoices: [Invoice] = []
    /// Credit already paid back by credit notes.
    public var refunded: Decimal = 0
    /// The surplus already reported with an `overpayment` notice.
    public var reportedSurplus: Decimal = 0
    public var delivered = false
    public var disputed = false
    public var cancelled = false
    public var completed = false

    public init(orderId: OrderID) { self.orderId = orderId }

    /// Money received in the order's currency (refused payments don't count).
    public func received(in currency: String) -> Money {
        Money.sum(payments.filter { !$0.refused && $0.amount.currency == currency }.map(\.amount), currency: currency)
    }

    /// Money applied to invoices that stand (voided invoices give theirs back).
    public func applied(in currency: String) -> Money {
        Money.sum(invoices.filter { !$0.voided }.map(\.paid), currency: currency)
    }

    /// Received, not applied and not refunded.
    public func credit(in currency: String) -> Money {
        received(in: currency) - applied(in: currency) - Money(refunded, currency)
    }

    /// What is still owed on all invoices.
    public func outstanding(in currency: String) -> Money {
        Money.sum(invoices.map(\.open), currency: currency)
    }

    /// At least one invoice stands and nothing is owed on any.
    public var isPaidInFull: Bool {
        guard let currency, invoices.contains(where: { !$0.voided }) else { return false }
        return outstanding(in: currency).isZero
    }
}

extension StateStore {
    /// The ledger of `orderId`, or a fresh one.
    func account(_ orderId: OrderID) throws -> BillingAccount {
        try get(BillingAccount.self, orderId.rawValue) ?? BillingAccount(orderId: orderId)
    }
}
