import DepartmentKit
import Foundation
import OrderModel

/// Tracking's "rules": not a department's decisions but a projection of `orders.status` into
/// a queryable store. Each event (decoded once by the runtime, acted on once by its id
/// through the inbox) updates the order's record and the few index rows that changed:
/// work per event is constant, whatever the store holds. Nothing is published.
public struct TrackingRules: DepartmentRules {
    public let department = "tracking"

    /// Every known type: whatever else appears on `orders.status` is not tracking's to
    /// dead-letter (the topic has other readers); what it does not show is skipped.
    public let handledEventTypes: Set<String> = Set(EventRegistry.standard.eventTypes)

    public init() {}

    public func handle(_ event: InboundEvent, state: any StateStore, context: HandlerContext) throws -> HandlerOutcome {
        switch event.payload {
        case let change as OrderStatusChanged:
            try record(change, eventId: event.id, state: state)
        case let breach as SLABreached:
            let row = SLABreachRow(orderId: breach.orderId.rawValue, channel: breach.channel, externalOrderId: breach.externalOrderId,
                                   stage: breach.stage, status: breach.status.rawValue, since: breach.since,
                                   limitSeconds: breach.limitSeconds, department: breach.department, at: breach.at)
            let millis = Int64((breach.at.timeIntervalSince1970 * 1000).rounded())
            try state.storeRaw(kind: TrackingStore.slaBreaches,
                               key: TrackingStore.descendingKey(millis, suffix: TrackingIndex.separator + row.orderId + TrackingIndex.separator + row.stage),
                               value: OrderFlowJSON.encode(row))
            try note(Self.ref(breach.orderId, breach.channel, breach.externalOrderId), at: breach.at, TimelineEntry(
                type: SLABreached.eventType, status: breach.status.rawValue, at: breach.at, department: breach.department,
                details: ["stage": breach.stage, "limitSeconds": String(breach.limitSeconds), "since": Timestamp.format(breach.since)],
                note: "stage \(breach.stage) took longer than its limit of \(Self.duration(breach.limitSeconds))", eventId: event.id), state: state)
        case let refused as RequestRefused:
            try note(Self.ref(refused.orderId, refused.channel, refused.externalOrderId), at: refused.at, TimelineEntry(
                type: RequestRefused.eventType, status: refused.status.rawValue, at: refused.at, department: refused.department,
                reasons: refused.reasons, note: "\(refused.request.rawValue) request refused", eventId: event.id), state: state)
        case let notice as BillingNotice:
            var details = ["kind": notice.kind.rawValue, "amount": notice.amount.amountString, "currency": notice.amount.currency]
            if let invoice = notice.invoiceId { details["invoiceId"] = invoice }
            if let due = notice.dueDate { details["dueDate"] = due.description }
            try note(Self.ref(notice.orderId, notice.channel, notice.externalOrderId), at: notice.at, TimelineEntry(
                type: BillingNotice.eventType, status: "", at: notice.at, department: "billing", details: details,
                note: notice.message, eventId: event.id), state: state)
        default:
            break
        }
        return HandlerOutcome()
    }

    /// A status change: into the timeline; the order's status, summary and indexes follow.
    func record(_ change: OrderStatusChanged, eventId: String, state: any StateStore) throws {
        let orderId = change.orderId.rawValue
        let entry = TimelineEntry(type: OrderStatusChanged.eventType, status: change.status.rawValue, at: change.at,
                                  department: change.department, reasons: change.reasons, details: change.details, eventId: eventId)
        var order = try state.get(TrackedOrder.self, orderId) ?? start(change.ref, at: change.at, status: change.status.rawValue, state: state)
        let before = (status: order.status, customer: order.customerId)
        if change.at < order.firstAt {
            // An earlier event arrived late: the order belongs to the day it started.
            try TrackingIndex.day(LocalDate(order.firstAt)).remove(orderId, in: state)
            try TrackingIndex.day(LocalDate(change.at)).add(orderId, in: state)
            order.firstAt = change.at
        }
        Self.insert(entry, into: &order.timeline)
        if let latest = order.timeline.last(where: { $0.type == OrderStatusChanged.eventType }) {
            order.status = latest.status
            order.statusAt = latest.at
        }
        if change.status == .received, let details = change.details { Self.takeSummary(details, into: &order) }
        if before.status != order.status {
            try TrackingIndex.status(before.status).remove(orderId, in: state)
            try TrackingIndex.status(order.status).add(orderId, in: state)
        }
        if before.customer != order.customerId {
            if let old = before.customer { try TrackingIndex.customer(old).remove(orderId, in: state) }
            if let new = order.customerId { try TrackingIndex.customer(new).add(orderId, in: state) }
        }
        try state.put(order, orderId)
    }

    /// Another event about an order: into its timeline (the order is started if this is the
    /// first tracking hears of it; its status stays what the status changes say).
    func note(_ ref: OrderRef, at: Date, _ entry: TimelineEntry, state: any StateStore) throws {
        var entry = entry
        var order = try state.get(TrackedOrder.self, ref.orderId.rawValue)
            ?? start(ref, at: at, status: entry.status.isEmpty ? Self.unknownStatus : entry.status, state: state)
        if entry.status.isEmpty { entry.status = order.status }
        Self.insert(entry, into: &order.timeline)
        try state.put(order, ref.orderId.rawValue)
    }

    /// The status of an order tracking has heard of only through other events so far.
    public static let unknownStatus = "unknown"

    /// A new order record, with the indexes every order has.
    private func start(_ ref: OrderRef, at: Date, status: String, state: any StateStore) throws -> TrackedOrder {
        let orderId = ref.orderId.rawValue
        try TrackingIndex.external(channel: ref.channel, externalOrderId: ref.externalOrderId).add(orderId, in: state)
        try TrackingIndex.externalId(ref.externalOrderId).add(orderId, in: state)
        try TrackingIndex.day(LocalDate(at)).add(orderId, in: state)
        try TrackingIndex.status(status).add(orderId, in: state)
        return TrackedOrder(orderId: orderId, channel: ref.channel, externalOrderId: ref.externalOrderId, status: status,
                            statusAt: at, firstAt: at)
    }

    /// Inserts in time order; an entry with the same time as others goes after them (the
    /// order of arrival), and an event id already there is not added twice.
    static func insert(_ entry: TimelineEntry, into timeline: inout [TimelineEntry]) {
        guard !timeline.contains(where: { $0.eventId == entry.eventId }) else { return }
        let index = timeline.lastIndex(where: { $0.at <= entry.at }).map { $0 + 1 } ?? 0
        timeline.insert(entry, at: index)
    }

    /// What intake puts on `received` (docs/contract/README.md, status details).
    static func takeSummary(_ details: [String: String], into order: inout TrackedOrder) {
        order.customerId = details["customerId"] ?? order.customerId
        order.region = details["region"] ?? order.region
        order.skus = details["skus"].map { $0.split(separator: ",").map(String.init) } ?? order.skus
        order.currency = details["currency"] ?? order.currency
        order.gross = details["gross"] ?? order.gross
        order.net = details["net"] ?? order.net
        order.tax = details["tax"] ?? order.tax
        order.priority = details["priority"] ?? order.priority
        order.requestedDeliveryDate = details["requestedDeliveryDate"] ?? order.requestedDeliveryDate
    }

    static func ref(_ orderId: OrderID, _ channel: String, _ external: String) -> OrderRef {
        OrderRef(orderId: orderId, channel: channel, externalOrderId: external)
    }

    static func duration(_ seconds: Int) -> String {
        if seconds % 86_400 == 0 { return "\(seconds / 86_400) d" }
        if seconds % 3600 == 0 { return "\(seconds / 3600) h" }
        if seconds % 60 == 0 { return "\(seconds / 60) min" }
        return "\(seconds) s"
    }
}
