import DepartmentKit
import Foundation
import OrderModel

/// What tracking knows about one order (`GET /orders/{orderId}`): its identity, its current
/// status, the summary intake put on the `received` status (customer, region, products,
/// totals, requested date) and the full timeline of what happened to it.
public struct TrackedOrder: StateRecord, Hashable {
    public static let kind = "tracking.order"

    public var orderId: String
    public var channel: String
    public var externalOrderId: String
    /// The latest status (by the time the departments gave it).
    public var status: String
    public var statusAt: Date
    public var customerId: String?
    public var region: String?
    public var skus: [String]?
    public var currency: String?
    public var gross: String?
    public var net: String?
    public var tax: String?
    public var priority: String?
    public var requestedDeliveryDate: String?
    /// When the first event about the order happened (its `received` or `rejected`).
    public var firstAt: Date
    /// Every event about the order on `orders.status`, in time order.
    public var timeline: [TimelineEntry]

    public init(orderId: String, channel: String, externalOrderId: String, status: String, statusAt: Date, firstAt: Date,
                timeline: [TimelineEntry] = []) {
        self.orderId = orderId
        self.channel = channel
        self.externalOrderId = externalOrderId
        self.status = status
        self.statusAt = statusAt
        self.firstAt = firstAt
        self.timeline = timeline
    }

    /// The order without its timeline, for lists.
    public var summary: OrderSummary {
        OrderSummary(orderId: orderId, channel: channel, externalOrderId: externalOrderId, status: status, statusAt: statusAt,
                     customerId: customerId, region: region, currency: currency, gross: gross, firstAt: firstAt)
    }

    /// The status changes of the timeline, as the KPI report reads them.
    public var statusChanges: [OrderStatusChanged] {
        let ref = OrderRef(orderId: OrderID(rawValue: orderId), channel: channel, externalOrderId: externalOrderId)
        return timeline.filter { $0.type == OrderStatusChanged.eventType }.map {
            OrderStatusChanged(ref: ref, status: OrderStatus(rawValue: $0.status), reasons: $0.reasons,
                               department: $0.department ?? "", at: $0.at, details: $0.details)
        }
    }
}

/// One entry of an order's timeline: a status change, or another event about the order
/// (an SLA breach, a refused request, a billing notice) with the status it was in.
public struct TimelineEntry: Codable, Sendable, Hashable {
    /// The event type (`order.status-changed`, `order.sla-breached`, …).
    public var type: String
    public var status: String
    public var at: Date
    public var department: String?
    public var reasons: [Reason]?
    public var details: [String: String]?
    /// For events other than status changes: what happened, for people.
    public var note: String?
    public var eventId: String

    public init(type: String, status: String, at: Date, department: String?, reasons: [Reason]? = nil,
                details: [String: String]? = nil, note: String? = nil, eventId: String) {
        self.type = type
        self.status = status
        self.at = at
        self.department = department
        self.reasons = reasons
        self.details = details
        self.note = note
        self.eventId = eventId
    }
}

/// An order in a list (`GET /orders?…`).
public struct OrderSummary: Codable, Sendable, Hashable {
    public var orderId: String
    public var channel: String
    public var externalOrderId: String
    public var status: String
    public var statusAt: Date
    public var customerId: String?
    public var region: String?
    public var currency: String?
    public var gross: String?
    public var firstAt: Date
}

/// One SLA breach (`GET /sla-breaches`): a stage that took longer than its time limit.
public struct SLABreachRow: Codable, Sendable, Hashable {
    public var orderId: String
    public var channel: String
    public var externalOrderId: String
    public var stage: String
    /// The status the order waited in.
    public var status: String
    public var since: Date
    public var limitSeconds: Int
    public var department: String
    public var at: Date
}

/// One message read from `orders.deadletter` (`GET /deadletters`): where it came from, why,
/// and the start of its bytes.
public struct DeadLetterRow: Codable, Sendable, Hashable {
    public var sequence: Int64
    public var receivedAt: Date
    public var topic: String
    public var partition: Int32
    public var offset: Int64
    public var key: String?
    public var reason: String
    public var detail: String?
    public var service: String?
    public var sourceTopic: String?
    public var sourcePartition: String?
    public var sourceOffset: String?
    /// Size of the value in bytes (`body.bytes` when the broker refused the original).
    public var bytes: Int
    /// The value's first bytes as text (at most `previewLimit`).
    public var preview: String?

    public static let previewLimit = 500

    /// The row for a dead letter read at (`topic`, `partition`, `offset`), from its headers
    /// (docs/contract/deadletter.md).
    public init(sequence: Int64, receivedAt: Date, topic: String, partition: Int32, offset: Int64, key: [UInt8]?,
                value: [UInt8]?, headers: [String: String]) {
        self.sequence = sequence
        self.receivedAt = receivedAt
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.key = key.map { String(decoding: $0.prefix(500), as: UTF8.self) }
        reason = headers["reason"] ?? "unknown"
        detail = headers["reason.detail"]
        service = headers["service"]
        sourceTopic = headers["source.topic"]
        sourcePartition = headers["source.partition"]
        sourceOffset = headers["source.offset"]
        bytes = value?.count ?? headers["body.bytes"].flatMap(Int.init) ?? 0
        preview = value.map { String(decoding: $0.prefix(Self.previewLimit), as: UTF8.self) }
    }
}
