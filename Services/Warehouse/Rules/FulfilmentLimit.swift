import Foundation
import DepartmentKit
import OrderModel

extension WarehouseRules {
    /// Stage limit: an order allocated longer ago than `fulfilmentLimit` and not yet
    /// packed → `order.sla-breached` (stage `fulfilment`), once per allocation.
    func checkFulfilmentLimit(of record: inout WarehouseOrderRecord, into outcome: inout HandlerOutcome,
                              context: HandlerContext) {
        guard record.stage.holdsStock, !record.fulfilmentLimitBreached, let since = record.allocatedAt,
              context.now.timeIntervalSince(since) > config.fulfilmentLimit else { return }
        record.fulfilmentLimitBreached = true
        let ref = record.order.ref
        let breach = SLABreached(ref: ref, stage: "fulfilment", status: record.status, since: since,
                                 limitSeconds: Int(config.fulfilmentLimit), department: department, at: context.now)
        outcome.emit(breach, to: .status, key: ref.orderId.rawValue, correlationId: ref.correlationId)
    }
}
