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
        try state.save(account)
    }

    /// `delivery.disputed`: reminders and escalations for the order are held (the overdue
    /// status is still published); logged as a notice for the billing team.
    func holdReminders(_ dispute: DeliveryDisputed, state: any StateStore, outcome: inout HandlerOutcome,
                       context: HandlerContext) throws {
        var account = try state.account(dispute.ref.orderId)
        learn(dispute.ref, customerId: nil, into: &account)
        guard !account.disputed else {
            outcome.log(.debug, "\(dispute.ref.orderId) is already disputed; reminders stay held")
            return
        }
        account.disputed = true
        outcome.log(.notice, "\(dispute.ref.orderId) delivery disputed (\(dispute.reason ?? "no reason given")): "
            + "reminders and escalation held")
        try state.save(account)
    }
}
