import Foundation
import DepartmentKit
import OrderModel

extension LogisticsRules {
    /// `order.cancellation-requested` (forwarded by the warehouse): logistics only holds
    /// orders that already left, so the request is refused with `already_shipped`. An order
    /// logistics has never seen is refused with `order_not_open` (its channel and external
    /// id are unknown here, so they are left empty).
    func refuse(_ request: CancellationRequested, state: any StateStore, context: HandlerContext) throws -> HandlerOutcome {
        var outcome = HandlerOutcome()
        let refusal: RequestRefused
        if let record = try state.get(LogisticsOrderRecord.self, request.orderId.rawValue) {
            let first = record.shipments[0]
            let reason = Reason(.alreadyShipped, "\(request.orderId) left with \(first.carrier.rawValue) as \(first.id) "
                + "(tracking \(first.trackingNumber)); it can no longer be cancelled")
            refusal = RequestRefused(ref: record.order.ref, request: .cancellation, status: record.status,
                                     reasons: [reason], department: department, at: context.now)
            outcome.emit(refusal, to: .status, key: request.orderId.rawValue, correlationId: record.order.ref.correlationId)
        } else {
            let ref = OrderRef(orderId: request.orderId, channel: "", externalOrderId: "")
            let reason = Reason(.orderNotOpen, "logistics has no order \(request.orderId)")
            refusal = RequestRefused(ref: ref, request: .cancellation, status: OrderStatus(rawValue: "unknown"),
                                     reasons: [reason], department: department, at: context.now)
            outcome.emit(refusal, to: .status, key: request.orderId.rawValue)
        }
        outcome.log(.notice, "cancellation of \(request.orderId) refused: \(refusal.reasons[0].code)")
        return outcome
    }
}
