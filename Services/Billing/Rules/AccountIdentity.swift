import Foundation
import DepartmentKit
import OrderModel

extension BillingRules {
    /// Takes the order's identity from an event about it.
    func learn(_ ref: OrderRef, customerId: CustomerID?, into account: inout BillingAccount) {
        account.ref = ref
        if let customerId { account.customerId = customerId }
    }

    /// Fixes the order's currency. Payments already received in another currency are
    /// refused now: never applied, reported as refund due.
    func adopt(currency: String, into account: inout BillingAccount, outcome: inout HandlerOutcome,
               context: HandlerContext) throws {
        if let known = account.currency {
            guard known == currency else {
                throw RuleViolation("\(account.orderId) is billed in \(known); an event in \(currency) cannot be booked")
            }
            return
        }
        account.currency = currency
        for index in account.payments.indices where account.payments[index].amount.currency != currency {
            refuse(paymentAt: index, of: &account, outcome: &outcome, context: context)
        }
    }

    /// A payment in a currency other than the order's is not converted or applied: it is
    /// marked refused and reported with a `credit_note` notice (refund due) in its own
    /// currency, so that a person returns or rebooks it.
    func refuse(paymentAt index: Int, of account: inout BillingAccount, outcome: inout HandlerOutcome,
                context: HandlerContext) {
        account.payments[index].refused = true
        let payment = account.payments[index]
        let message = "payment \(payment.reference) of \(payment.amount) is not in the order's currency "
            + "\(account.currency ?? "?"): not applied, refund due"
        outcome.log(.warning, "\(account.orderId): \(message)")
        notify(.paymentRefused, account: account, invoiceId: nil, amount: payment.amount, dueDate: nil,
               message: message, outcome: &outcome, context: context)
    }

    /// Publishes a `billing.notice` about the order (logged only while its identity is unknown).
    func notify(_ kind: BillingNotice.Kind, account: BillingAccount, invoiceId: String?, amount: Money,
                dueDate: LocalDate?, message: String, outcome: inout HandlerOutcome, context: HandlerContext) {
        guard let ref = account.ref else {
            outcome.log(.warning, "\(account.orderId): \(kind.rawValue) \(amount) not published (order not known yet): \(message)")
            return
        }
        let notice = BillingNotice(ref: ref, kind: kind, invoiceId: invoiceId, amount: amount, dueDate: dueDate,
                                   at: context.now, message: message)
        outcome.emit(notice, to: .status, key: ref.orderId.rawValue, correlationId: ref.correlationId)
    }

    /// Publishes a status change of the order (the identity is known whenever one is due).
    func publish(_ status: OrderStatus, of account: BillingAccount, details: [String: String],
                 outcome: inout HandlerOutcome, context: HandlerContext) {
        guard let ref = account.ref else { return }
        outcome.status(ref, status, department: department, at: context.now, details: details)
    }
}
