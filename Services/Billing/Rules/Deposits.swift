import Foundation
import DepartmentKit
import OrderModel

extension BillingRules {
    /// `deposit.requested`: records the deposit; if the money received already covers it,
    /// `deposit.paid` goes to review at once. Every request is answered: a repeated request
    /// (e.g. after an order change went through review again) is answered again when covered.
    func handleDeposit(_ request: DepositRequested, state: any StateStore, outcome: inout HandlerOutcome,
                       context: HandlerContext) throws {
        guard request.amount.isPositive, request.amount.currency == request.orderTotal.currency else {
            throw RuleViolation("deposit.requested for \(request.ref.orderId) needs a positive amount in the order's currency")
        }
        var account = try state.account(request.ref.orderId)
        learn(request.ref, customerId: request.customerId, into: &account)
        account.paymentTermsDays = request.paymentTermsDays
        try adopt(currency: request.amount.currency, into: &account, outcome: &outcome, context: context)
        account.depositRequested = request.amount
        account.reportedDepositPaid = false
        if account.cancelled {
            outcome.log(.warning, "deposit requested for \(request.ref.orderId), which billing knows as cancelled; not collected")
        } else {
            reportDepositIfCovered(&account, outcome: &outcome, context: context)
        }
        try save(account, in: state)
    }

    /// Sends `deposit.paid` (once per request) when the money received covers the deposit.
    func reportDepositIfCovered(_ account: inout BillingAccount, outcome: inout HandlerOutcome, context: HandlerContext) {
        guard let deposit = account.depositRequested, let ref = account.ref, !account.reportedDepositPaid,
              account.invoices.isEmpty else { return }
        let received = account.received(in: deposit.currency)
        guard received >= deposit else {
            outcome.log(.info, "\(account.orderId): \(received) received toward a deposit of \(deposit)")
            return
        }
        account.reportedDepositPaid = true
        outcome.emit(DepositPaid(ref: ref, amount: received), to: .review, key: ref.orderId.rawValue,
                     correlationId: ref.correlationId)
    }
}
