import Foundation
import OrderModel
import DepartmentKit

/// Money news from billing: a deposit paid, a payment applied.
extension ReviewDesk {
    /// `deposit.paid` for an order awaiting its deposit → release to the warehouse. For
    /// any other order it has no effect (a notice is logged).
    mutating func depositPaid(_ paid: DepositPaid) throws {
        guard var record = try load(paid.ref.orderId), record.stage == .awaitingDeposit else {
            outcome.log(.notice, "deposit.paid for \(paid.ref.orderId) ignored: the order is not awaiting a deposit")
            return
        }
        try release(&record)
    }

    /// `payment.applied` → the customer's exposure goes down by the amount, never below
    /// zero, and for an order review knows by no more than that order still adds.
    mutating func paymentApplied(_ payment: PaymentApplied) throws {
        guard payment.amount.isPositive else {
            outcome.log(.warning, "payment.applied for \(payment.ref.orderId) with amount \(payment.amount) ignored")
            return
        }
        guard var record = try load(payment.ref.orderId) else {
            try adjustExposure(of: payment.customerId, by: .zero(payment.amount.currency) - payment.amount)
            return
        }
        guard payment.amount.currency == record.order.currency else {
            outcome.log(.warning, "payment.applied for \(record.order.id) in \(payment.amount.currency), order in \(record.order.currency); ignored")
            return
        }
        let reduction = Money.min(payment.amount, record.openExposure)
        record.paymentsApplied += payment.amount
        record.openExposure -= reduction
        if reduction.isPositive {
            try adjustExposure(of: record.order.customerId, by: .zero(reduction.currency) - reduction)
        }
        try save(record)
    }
}
