import Foundation
import DepartmentKit
import OrderModel

extension LogisticsRules {
    /// `shipment.tracking-updated`: a carrier's scan of the order's current shipment. Scans
    /// of unknown orders, of other tracking numbers (e.g. a replaced shipment) and after
    /// delivery are logged and ignored; a scan that repeats what was already published
    /// changes nothing.
    func follow(_ scan: ShipmentTrackingUpdated, state: any StateStore, context: HandlerContext) throws -> HandlerOutcome {
        var outcome = HandlerOutcome()
        guard var record = try state.get(LogisticsOrderRecord.self, scan.orderId.rawValue) else {
            outcome.log(.notice, "\(scan.event.rawValue) scan for \(scan.orderId), which logistics never shipped; ignored")
            return outcome
        }
        guard scan.trackingNumber == record.current.trackingNumber else {
            outcome.log(.notice, "\(scan.event.rawValue) scan with tracking number \(scan.trackingNumber) for \(scan.orderId), "
                + "whose current shipment is \(record.current.trackingNumber); ignored")
            return outcome
        }
        guard !record.isDelivered else {
            outcome.log(.notice, "\(scan.event.rawValue) scan for \(scan.orderId) after its delivery; ignored")
            return outcome
        }
        switch scan.event {
        case .inTransit: reportInTransit(&record, into: &outcome, context: context)
        case .delayed: reportDelay(scan, of: &record, into: &outcome, context: context)
        case .exception: reportException(scan, of: &record, into: &outcome, context: context)
        case .delivered: reportDelivery(scan, of: &record, into: &outcome, context: context)
        }
        try save(record, in: state)
        return outcome
    }

    /// `in_transit` is published once per shipment.
    private func reportInTransit(_ record: inout LogisticsOrderRecord, into outcome: inout HandlerOutcome,
                                 context: HandlerContext) {
        guard !record.current.reportedInTransit else {
            outcome.log(.debug, "repeated in_transit scan for \(record.current.id); ignored")
            return
        }
        record.current.reportedInTransit = true
        record.status = .inTransit
        outcome.status(record.order.ref, .inTransit, department: department, at: context.now,
                       details: shipmentDetails(record.current))
    }

    /// `delayed` moves the ETA (when the scan gives one) and is published when the ETA is
    /// new: the same delay reported twice is one change, a later new ETA is another.
    private func reportDelay(_ scan: ShipmentTrackingUpdated, of record: inout LogisticsOrderRecord,
                             into outcome: inout HandlerOutcome, context: HandlerContext) {
        let eta = scan.eta ?? record.current.eta
        guard record.current.reportedDelays.last != eta else {
            outcome.log(.debug, "repeated delayed scan for \(record.current.id) (eta \(Timestamp.format(eta))); ignored")
            return
        }
        record.current.eta = eta
        record.current.reportedDelays.append(eta)
        record.status = .delayed
        var details = shipmentDetails(record.current)
        details["eta"] = Timestamp.format(eta)
        if let detail = scan.detail { details["detail"] = detail }
        outcome.status(record.order.ref, .delayed, department: department, at: context.now, details: details)
    }

    /// `exception` is published as `delivery_exception`; damaged or lost goods are then
    /// replaced by a new shipment, or — with `claimInsteadOfReplacement` — a claim is opened.
    private func reportException(_ scan: ShipmentTrackingUpdated, of record: inout LogisticsOrderRecord,
                                 into outcome: inout HandlerOutcome, context: HandlerContext) {
        let kind = scan.exception ?? .other
        let signature = "\(kind.rawValue):\(scan.detail ?? "")"
        guard record.current.reportedException != signature else {
            outcome.log(.debug, "repeated \(kind.rawValue) exception scan for \(record.current.id); ignored")
            return
        }
        record.current.reportedException = signature
        record.status = .deliveryException
        var details = shipmentDetails(record.current)
        details["kind"] = kind.rawValue
        if let detail = scan.detail { details["detail"] = detail }
        let goodsGone = kind == .damaged || kind == .lost
        if goodsGone && config.claimInsteadOfReplacement {
            record.current.progress = .claimed
            details["claim"] = "opened"
            outcome.log(.notice, "\(record.current.id) \(kind.rawValue): claim opened with \(record.current.carrier.rawValue)")
        }
        outcome.status(record.order.ref, .deliveryException, department: department, at: context.now, details: details)
        if goodsGone && !config.claimInsteadOfReplacement {
            sendReplacement(for: &record, into: &outcome, context: context)
        }
    }

    /// Sends the order again under a new shipment id and tracking number.
    private func sendReplacement(for record: inout LogisticsOrderRecord, into outcome: inout HandlerOutcome,
                                 context: HandlerContext) {
        record.current.progress = .replaced
        let replacement = newShipment(of: record.order, number: record.shipments.count + 1,
                                      replacing: record.current.id, at: context.now)
        record.shipments.append(replacement)
        record.status = .shipped
        announce(replacement, of: record.order, into: &outcome, context: context)
    }

    /// `delivered`: published, and billing is told (`shipment.delivered`).
    private func reportDelivery(_ scan: ShipmentTrackingUpdated, of record: inout LogisticsOrderRecord,
                                into outcome: inout HandlerOutcome, context: HandlerContext) {
        record.current.progress = .delivered
        record.deliveredAt = scan.at
        record.status = .delivered
        var details = shipmentDetails(record.current)
        details["deliveredAt"] = Timestamp.format(scan.at)
        outcome.status(record.order.ref, .delivered, department: department, at: context.now, details: details)
        let delivered = ShipmentDelivered(ref: record.order.ref, shipmentId: record.current.id, deliveredAt: scan.at)
        outcome.emit(delivered, to: .billing, key: record.order.id.rawValue, correlationId: record.order.ref.correlationId)
    }

    func shipmentDetails(_ shipment: Shipment) -> [String: String] {
        ["carrier": shipment.carrier.rawValue, "trackingNumber": shipment.trackingNumber, "shipmentId": shipment.id]
    }
}
