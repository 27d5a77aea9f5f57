import Foundation
import DepartmentKit
import OrderModel

extension BillingRules {
    /// `shipment.delivered`: the order is delivered; completed if it is also paid in full.
    func noteDelivery(_ delivery: ShipmentDelivered, state: any StateStore, outcome: inout HandlerOutcome,
                      context: HandlerContext) throws {
        var account = try state.account(delivery.ref.orderId)
        learn(delivery.ref, customerId: nil, into: &account)
        guard !account.delivered else {
            outcome.log(.debug, "\(delivery.ref.orderId) is already known as delivered (\(delivery.shipmentId)); nothing to do")
            return
        }
        account.delivered = true
        completeIfDone(&account, outcome: &outcome, context: context)
        try save(account, in: state)
    }

    /// `delivery.disputed`: reminders and escalations for the order are held (the overdue
    /// status is still published); a `reminders_held` notice says so.
    func holdReminders(_ dispute: DeliveryDisputed, state: any StateStore, outcome: inout HandlerOutcome,
                       context: HandlerContext) throws {
        var account = try state.account(dispute.ref.orderId)
        learn(dispute.ref, customerId: nil, into: &account)
        guard !account.disputed else {
            outcome.log(.debug, "\(dispute.ref.orderId) is already disputed; reminders stay held")
            return
        }
        account.disputed = true
        let message = "delivery disputed (\(dispute.reason ?? "no reason given")): reminders and escalation held"
        outcome.log(.notice, "\(dispute.ref.orderId) \(message)")
        if let invoice = account.invoices.last {
            notify(.remindersHeld, account: account, invoiceId: invoice.id, amount: invoice.open, dueDate: invoice.dueDate,
                   message: message, outcome: &outcome, context: context)
        }
        try save(account, in: state)
    }
}
