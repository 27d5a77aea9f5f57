import Foundation
import DepartmentKit
import OrderModel

extension LogisticsRules {
    /// `delivery.responded`: the customer accepts (status `accepted`) or disputes (status
    /// `disputed`, and billing is told with `delivery.disputed`) a delivery. An answer before
    /// the delivery, or the same answer again, is logged and ignored; a changed answer (a
    /// dispute settled by acceptance) is published.
    func record(_ response: DeliveryResponded, state: any StateStore, context: HandlerContext) throws -> HandlerOutcome {
        var outcome = HandlerOutcome()
        guard var record = try state.get(LogisticsOrderRecord.self, response.orderId.rawValue) else {
            outcome.log(.notice, "delivery \(response.response.rawValue) for \(response.orderId), which logistics never shipped; ignored")
            return outcome
        }
        guard record.isDelivered else {
            outcome.log(.warning, "delivery \(response.response.rawValue) for \(response.orderId) before it was delivered; ignored")
            return outcome
        }
        guard record.deliveryResponse != response.response else {
            outcome.log(.debug, "delivery of \(response.orderId) already \(response.response.rawValue); ignored")
            return outcome
        }
        record.deliveryResponse = response.response
        var details = ["shipmentId": record.current.id]
        if let reason = response.reason { details["reason"] = reason }
        switch response.response {
        case .accepted:
            record.status = .accepted
            outcome.status(record.order.ref, .accepted, department: department, at: context.now, details: details)
        case .disputed:
            record.status = .disputed
            outcome.status(record.order.ref, .disputed, department: department, at: context.now, details: details)
            outcome.emit(DeliveryDisputed(ref: record.order.ref, reason: response.reason), to: .billing,
                         key: record.order.id.rawValue, correlationId: record.order.ref.correlationId)
        }
        try save(record, in: state)
        return outcome
    }
}
