import DepartmentKit
import Foundation
import Kafka
import OrderModel

/// One consumed message, read: an event for the rules, or a dead letter with the reason.
public enum InboxItem: Sendable {
    case event(InboundEvent)
    case deadLetter(DeadLetterReason)
}

/// Why a message went to `orders.deadletter`: `code` is machine-readable (`not_json`,
/// `unsupported_dataversion`, `handler_error` …), `detail` is for people.
public struct DeadLetterReason: Sendable, Hashable, CustomStringConvertible {
    public var code: String
    public var detail: String
    public init(code: String, detail: String) {
        self.code = code
        self.detail = detail
    }
    public var description: String { "\(code): \(detail)" }
}

/// Turns consumed Kafka messages into events for a department's rules: submissions on
/// `orders.submitted`, CloudEvents envelopes everywhere else (upcast through the
/// registry). Whatever can't be read becomes a dead letter; nothing here throws.
public struct InboxDecoder: Sendable {
    public var registry: EventRegistry
    public var topics: TopicNames

    public init(registry: EventRegistry = .standard, topics: TopicNames) {
        self.registry = registry
        self.topics = topics
    }

    public func decode(_ message: KafkaMessage, receivedAt now: Date) -> InboxItem {
        guard let value = message.value else {
            return .deadLetter(DeadLetterReason(code: "empty_value", detail: "a message without a value (tombstone) on an inbox topic"))
        }
        if topics.topic(named: message.topic) == .submitted {
            do {
                let submission = try OrderSubmission.read(value)
                let correlation = "\(submission.channel ?? ""):\(submission.externalOrderId ?? "")"
                return .event(InboundEvent(
                    id: MessageIdentity.submission(message), type: OrderSubmitted.eventType,
                    source: "/orderflow/submitted", subject: nil, time: now, correlationId: correlation,
                    payload: OrderSubmitted(submission: submission, byteCount: value.count)))
            } catch {
                let code = error.reason.split(separator: ":", maxSplits: 1).first.map(String.init) ?? "invalid_submission"
                return .deadLetter(DeadLetterReason(code: code, detail: error.reason))
            }
        }
        do {
            let (envelope, payload) = try registry.decodeForProcessing(Data(value))
            return .event(InboundEvent(
                id: envelope.id, type: envelope.type, source: envelope.source, subject: envelope.subject,
                time: envelope.time, correlationId: envelope.correlationid, payload: payload))
        } catch {
            return .deadLetter(DeadLetterReason(code: error.code.rawValue, detail: error.message))
        }
    }
}
