import Foundation
import OrderModel
import DepartmentKit

/// Cancellations: asked for by the customer, or reported by the warehouse or logistics.
extension ReviewDesk {
    /// `order.cancellation-requested`: held here (pending approval, awaiting deposit) →
    /// `cancelled`; released → forwarded to the warehouse, which holds it now; unknown or
    /// already rejected/cancelled → refused with `order_not_open`.
    mutating func cancellationRequested(_ request: CancellationRequested) throws {
        guard var record = try load(request.orderId) else {
            refuseUnknown(.cancellation, request.orderId)
            return
        }
        switch record.stage {
        case .pendingApproval, .awaitingDeposit:
            let reason = request.reason?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            let message = reason.isEmpty ? "cancelled at the customer's request" : reason
            try cancel(&record, reason: Reason(.cancelledByCustomer, message),
                       details: request.requestedBy.map { ["requestedBy": $0] })
        case .released:
            send(request, to: .warehouse, about: record.order)
            outcome.log(.info, "cancellation of \(record.order.id) forwarded to the warehouse (released)")
        case .rejected, .cancelled:
            refuseFinal(.cancellation, record)
        }
    }

    /// `order.cancelled` from the warehouse or logistics: the order's remaining exposure
    /// (gross less payments applied) is released and the order is marked cancelled.
    mutating func orderCancelled(_ cancelled: OrderCancelled) throws {
        guard cancelled.cancelledBy != department else { return }
        guard var record = try load(cancelled.ref.orderId) else {
            outcome.log(.notice, "order.cancelled for \(cancelled.ref.orderId) by \(cancelled.cancelledBy) ignored: not known here")
            return
        }
        guard !record.stage.isFinal else {
            outcome.log(.notice, "order.cancelled for \(record.order.id) ignored: already \(record.stage.rawValue)")
            return
        }
        try releaseExposure(&record)
        try enter(.cancelled, &record)
        outcome.log(.info, "\(record.order.id) cancelled by \(cancelled.cancelledBy); exposure released")
    }
}
