import Foundation
import DepartmentKit
import OrderModel

extension BillingRules {
    /// `payment.received`: money for an order. A payment with the same reference and amount
    /// as one already booked is a re-sent bank message and is ignored. Then, in order:
    /// - not in the order's currency → refused (see `refuse(paymentAt:)`);
    /// - order cancelled → refunded at once (`credit_note`);
    /// - no invoice yet → held as credit: counts toward the deposit, applied when invoiced;
    /// - invoiced → applied to the open invoices (`settle`).
    func receive(_ payment: PaymentReceived, state: any StateStore, outcome: inout HandlerOutcome,
                 context: HandlerContext) throws {
        guard payment.amount.value > 0 else {
            throw RuleViolation("payment \(payment.reference) for \(payment.orderId) is not a positive amount")
        }
        var account = try state.account(payment.orderId)
        let money = payment.money
        if account.payments.contains(where: { $0.reference == payment.reference && $0.amount == money }) {
            outcome.log(.notice, "payment \(payment.reference) of \(money) for \(payment.orderId) was already booked; ignored")
            return
        }
        account.payments.append(ReceivedPayment(reference: payment.reference, amount: money, receivedAt: context.now))
        if account.cancelled && account.currency == nil {
            try adopt(currency: money.currency, into: &account, outcome: &outcome, context: context)
        }

        if let currency = account.currency, currency != money.currency {
            refuse(paymentAt: account.payments.count - 1, of: &account, outcome: &outcome, context: context)
        } else if account.cancelled {
            try refundCredit(of: &account, why: "payment \(payment.reference) for a cancelled order", outcome: &outcome,
                             context: context)
        } else if account.invoices.isEmpty {
            outcome.log(.info, "\(payment.orderId): \(money) held as credit until invoicing")
            reportDepositIfCovered(&account, outcome: &outcome, context: context)
        } else {
            settle(&account, outcome: &outcome, context: context)
        }
        try save(account, in: state)
    }
}
