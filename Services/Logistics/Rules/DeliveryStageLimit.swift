import Foundation
import DepartmentKit
import OrderModel

extension LogisticsRules {
    /// Stage limit: a shipment not delivered by its ETA (as moved by delays) plus
    /// `deliveryGrace` is reported with `order.sla-breached` (stage `delivery`), once per
    /// order. Claimed shipments are with a person and are not timed.
    func checkDeliveryLimit(of record: inout LogisticsOrderRecord, into outcome: inout HandlerOutcome,
                            context: HandlerContext) {
        let shipment = record.current
        guard !record.deliveryLimitBreached, shipment.progress == .underway else { return }
        let deadline = shipment.eta.addingTimeInterval(config.deliveryGrace)
        guard context.now > deadline else { return }
        record.deliveryLimitBreached = true
        let breach = SLABreached(ref: record.order.ref, stage: "delivery", status: record.status, since: shipment.shippedAt,
                                 limitSeconds: Int(deadline.timeIntervalSince(shipment.shippedAt)),
                                 department: department, at: context.now)
        outcome.emit(breach, to: .status, key: record.order.id.rawValue, correlationId: record.order.ref.correlationId)
    }
}
