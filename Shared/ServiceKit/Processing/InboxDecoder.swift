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
        let mode = CloudEventsKafka.mode(of: message.headers)
        if topics.topic(named: message.topic) == .submitted {
            // The value is the submission itself: plain JSON, or the `data` of a binary-mode
            // CloudEvent (its `ce_` headers are not needed: a submission's id is its position).
            if mode == .structured {
                return .deadLetter(DeadLetterReason(code: "invalid_shape", detail:
                    "a structured-mode CloudEvent (content-type application/cloudevents…) on orders.submitted: send the submission itself as the value (plain JSON, or binary mode with ce_ headers)"))
            }
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
        switch mode {
        case .structured, .undeclared: break
        case .binary: return decodeBinary(message.headers, value: value)
        case .unsupportedFormat(let contentType):
            return .deadLetter(DeadLetterReason(code: CloudEventsKafka.unsupportedContentType.rawValue, detail:
                "content-type '\(contentType)' is a CloudEvents format this service does not read (it reads application/cloudevents+json)"))
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

    /// A binary-mode CloudEvent from an outside sender: the envelope from its headers,
    /// `data` upcast and decoded through the registry like a structured envelope's.
    private func decodeBinary(_ headers: [KafkaHeader], value: [UInt8]) -> InboxItem {
        do {
            let decoded = try registry.decode(CloudEventsKafka.envelope(binary: headers, value: value))
            let envelope = decoded.envelope
            return .event(InboundEvent(
                id: envelope.id, type: envelope.type, source: envelope.source, subject: envelope.subject,
                time: envelope.time, correlationId: envelope.correlationid, payload: decoded.payload))
        } catch {
            return .deadLetter(DeadLetterReason(code: error.code.rawValue, detail: error.message))
        }
    }
}
