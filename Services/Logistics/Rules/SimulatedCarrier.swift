import Foundation
import DepartmentKit
import OrderModel

extension LogisticsRules {
    /// Demo mode: the carrier every shipment is given to. Once `inTransitAfter` has passed
    /// since dispatch it sends an `in_transit` scan, once `deliveredAfter` has passed a
    /// `delivered` scan — to logistics' own inbox, so they take the same path as a real
    /// carrier's. Each scan is sent once per shipment. Claimed shipments are not moved.
    func playCarrier(for record: inout LogisticsOrderRecord, into outcome: inout HandlerOutcome, context: HandlerContext) {
        guard record.current.progress == .underway else { return }
        let schedule: [(ShipmentTrackingUpdated.Scan, TimeInterval)] = [
            (.inTransit, config.inTransitAfter), (.delivered, config.deliveredAfter),
        ]
        for (scan, delay) in schedule where !record.current.simulatedScans.contains(scan) {
            guard context.now >= record.current.shippedAt.addingTimeInterval(delay) else { continue }
            record.current.simulatedScans.append(scan)
            let update = ShipmentTrackingUpdated(orderId: record.order.id, trackingNumber: record.current.trackingNumber,
                                                 event: scan, at: context.now, detail: "simulated carrier")
            outcome.emit(update, to: .logistics, key: record.order.id.rawValue, correlationId: record.order.ref.correlationId)
        }
    }
}
