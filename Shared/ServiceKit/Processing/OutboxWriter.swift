import DepartmentKit
import Foundation
import Kafka
import OrderModel

/// Writes what a handler decided into the outbox, inside the batch's transaction: each
/// event gets its final envelope (id, source, time, causation) here, once, so that a
/// re-publication after a crash repeats the same id.
public struct OutboxWriter: Sendable {
    public var service: String
    public var topics: TopicNames

    public init(service: String, topics: TopicNames) {
        self.service = service
        self.topics = topics
    }

    /// Enqueues the outcome's events; `cause` is the inbound event, if any. Returns the
    /// rows as stored, for publication straight after commit.
    @discardableResult
    public func enqueue(_ outcome: HandlerOutcome, cause: InboundEvent?, now: Date, in tx: any ServiceTransaction) throws -> [OutboxMessage] {
        let source = "/orderflow/\(service)"
        return try outcome.events.map { event in
            let id = EventID.make(at: now)
            let value = try event.payload.encodedEnvelope(id: id, source: source, subject: event.subject, time: now,
                                                          correlationid: event.correlationId ?? cause?.correlationId,
                                                          causationid: cause?.id)
            return try tx.enqueue(topic: topics.name(event.topic), key: Array(event.key.utf8), value: Array(value),
                                  headers: CloudEventsKafka.structuredHeaders)
        }
    }

    /// Enqueues the original bytes of `message` for `orders.deadletter`, with headers that
    /// say why and where it came from.
    @discardableResult
    public func enqueueDeadLetter(_ message: KafkaMessage, reason: DeadLetterReason, in tx: any ServiceTransaction) throws -> OutboxMessage {
        try tx.enqueue(topic: topics.name(.deadletter), key: message.key, value: message.value,
                       headers: DeadLetterHeaders.make(reason: reason, message: message, service: service))
    }
}

/// The headers of a dead letter (documented in docs/contract/deadletter.md).
public enum DeadLetterHeaders {
    public static let reason = "reason"
    public static let detail = "reason.detail"
    public static let sourceTopic = "source.topic"
    public static let sourcePartition = "source.partition"
    public static let sourceOffset = "source.offset"
    public static let service = "service"
    /// Set (to `too_large`) when the dead letter goes without its value because the broker
    /// refused the original bytes; the original sits at `source.topic`/`source.partition`/`source.offset`.
    public static let bodyOmitted = "body.omitted"
    /// With `body.omitted`: the size of the value left out, in bytes.
    public static let bodyBytes = "body.bytes"
    /// Prefix of the original message's own headers (`original.content-type`,
    /// `original.ce_id`, `original.traceparent` …), kept so that a replay sends them again.
    /// Values that are not valid UTF-8 (or null) are not kept.
    public static let originalPrefix = "original."

    static func make(reason: DeadLetterReason, message: KafkaMessage, service: String) -> [String: String] {
        var headers = [
            Self.reason: reason.code,
            Self.detail: String(reason.detail.prefix(2000)),
            sourceTopic: message.topic,
            sourcePartition: String(message.partition),
            sourceOffset: String(message.offset),
            Self.service: service,
        ]
        for header in message.headers {
            guard let bytes = header.value, let text = String(validating: bytes, as: UTF8.self) else { continue }
            headers[originalPrefix + header.key] = text
        }
        return headers
    }

    /// The original message's headers of a dead letter, in the order of their names.
    public static func originalHeaders(of deadLetter: [KafkaHeader]) -> [KafkaHeader] {
        deadLetter.filter { $0.key.hasPrefix(originalPrefix) }
            .map { KafkaHeader(key: String($0.key.dropFirst(originalPrefix.count)), value: $0.value) }
            .sorted { $0.key < $1.key }
    }
}
