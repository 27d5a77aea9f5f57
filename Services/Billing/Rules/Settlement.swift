import Foundation
import DepartmentKit
import OrderModel

extension BillingRules {
    /// Applies the order's credit to its open invoices, oldest first, and says what came of
    /// it: `payment.applied` to review for the amount applied; status `partially_paid`
    /// (amount paid and open) or `paid` (once by construction: only applied money can pay
    /// the last of it); an `overpayment` notice for a surplus not reported before (kept as
    /// credit); and `completed` when paid and delivered.
    func settle(_ account: inout BillingAccount, outcome: inout HandlerOutcome, context: HandlerContext) {
        guard let currency = account.currency, let ref = account.ref else { return }
        var credit = account.credit(in: currency)
        var appliedNow = Money.zero(currency)
        var lastTouched: String?
        for index in account.invoices.indices where account.invoices[index].isOpen && credit.isPositive {
            let take = Money.min(credit, account.invoices[index].open)
            account.invoices[index].paid += take
            credit -= take
            appliedNow += take
            lastTouched = account.invoices[index].id
        }

        if appliedNow.isPositive, let invoiceId = lastTouched {
            if let customerId = account.customerId {
                outcome.emit(PaymentApplied(ref: ref, customerId: customerId, amount: appliedNow), to: .review,
                             key: ref.orderId.rawValue, correlationId: ref.correlationId)
            }
            let outstanding = account.outstanding(in: currency)
            let details = ["invoiceId": invoiceId, "amountPaid": account.applied(in: currency).amountString,
                           "amountOpen": outstanding.amountString, "currency": currency]
            if outstanding.isPositive {
                publish(.partiallyPaid, of: account, details: details, outcome: &outcome, context: context)
            } else {
                publish(.paid, of: account, details: details, outcome: &outcome, context: context)
            }
        }
        reportSurplus(&account, credit: credit, outcome: &outcome, context: context)
        completeIfDone(&account, outcome: &outcome, context: context)
    }

    /// Credit left over once every invoice is paid is an overpayment; each new part of it
    /// is reported once.
    private func reportSurplus(_ account: inout BillingAccount, credit: Money, outcome: inout HandlerOutcome,
                               context: HandlerContext) {
        account.reportedSurplus = min(account.reportedSurplus, credit.amount)
        guard account.isPaidInFull, credit.amount > account.reportedSurplus else { return }
        let surplus = Money(credit.amount - account.reportedSurplus, credit.currency)
        account.reportedSurplus = credit.amount
        notify(.overpayment, account: account, invoiceId: account.invoices.last?.id, amount: surplus, dueDate: nil,
               message: "\(surplus) more than owed was received; held as credit (total credit \(credit))",
               outcome: &outcome, context: context)
    }

    /// `completed` once the order is both paid in full and delivered (in either order).
    func completeIfDone(_ account: inout BillingAccount, outcome: inout HandlerOutcome, context: HandlerContext) {
        guard !account.completed, !account.cancelled, account.delivered, account.isPaidInFull else { return }
        account.completed = true
        publish(.completed, of: account, details: ["invoiceId": account.invoices.map(\.id).joined(separator: ",")],
                outcome: &outcome, context: context)
    }
}
