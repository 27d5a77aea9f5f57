import Foundation
import DepartmentKit
import OrderModel

extension BillingRules {
    /// `order.cancelled`: invoices not paid in full are voided (`invoice_voided`), and the
    /// money the order holds — a deposit, a prepayment, what the voided invoices had
    /// received — is owed back (`credit_note`, refund due). Later payments for the order
    /// are refunded as they come. Said once, however often the cancellation arrives.
    func close(_ cancellation: OrderCancelled, state: any StateStore, outcome: inout HandlerOutcome,
               context: HandlerContext) throws {
        var account = try state.account(cancellation.ref.orderId)
        learn(cancellation.ref, customerId: cancellation.customerId, into: &account)
        guard !account.cancelled else {
            outcome.log(.debug, "\(cancellation.ref.orderId) is already cancelled in billing; nothing to do")
            return
        }
        account.cancelled = true
        if account.currency == nil, let first = account.payments.first {
            try adopt(currency: first.amount.currency, into: &account, outcome: &outcome, context: context)
        }
        for index in account.invoices.indices where account.invoices[index].isOpen {
            account.invoices[index].voided = true
            let invoice = account.invoices[index]
            notify(.invoiceVoided, account: account, invoiceId: invoice.id, amount: invoice.totals.gross,
                   dueDate: invoice.dueDate, message: "\(invoice.id) voided: order cancelled by \(cancellation.cancelledBy)",
                   outcome: &outcome, context: context)
        }
        try refundCredit(of: &account, why: "order cancelled by \(cancellation.cancelledBy)", outcome: &outcome,
                         context: context)
        if let deposit = account.depositRequested, !account.reportedDepositPaid {
            outcome.log(.info, "\(account.orderId): deposit request of \(deposit) withdrawn by the cancellation")
        }
        try save(account, in: state)
    }

    /// Issues a credit note (refund due) for all credit the order holds.
    func refundCredit(of account: inout BillingAccount, why: String, outcome: inout HandlerOutcome,
                      context: HandlerContext) throws {
        guard let currency = account.currency else { return }
        let credit = account.credit(in: currency)
        guard credit.isPositive else { return }
        account.refunded += credit.amount
        notify(.creditNote, account: account, invoiceId: nil, amount: credit, dueDate: nil,
               message: "refund due: \(credit) received (\(why))", outcome: &outcome, context: context)
    }
}
