import Foundation
import Kafka
import OrderModel

/// A message read from `orders.deadletter`, with what its headers say (docs/contract/deadletter.md).
///
/// Its `id` is its own position in the dead-letter topic, `<partition>:<offset>` (what
/// `orderctl deadletter list` shows and `replay` takes). Its `replayKey` names the original
/// message instead, `<source.topic>/<source.partition>/<source.offset>/<digest of key and
/// value>`: the replay log is keyed by it, so a replay is remembered even if the dead-letter
/// topic is created again.
public struct DeadLetter: Sendable, Hashable {
    public var id: String
    public var partition: Int32
    public var offset: Int64
    /// When the dead letter was written (the broker's timestamp), if known.
    public var time: Date?
    /// The original key and value, byte for byte (`value` is nil when the body was omitted).
    public var key: [UInt8]?
    public var value: [UInt8]?
    public var reason: String
    public var detail: String
    public var service: String
    public var sourceTopic: String?
    public var sourcePartition: Int32?
    public var sourceOffset: Int64?
    /// `too_large` when the dead letter was written without its value.
    public var bodyOmitted: String?
    public var bodyBytes: Int?
    /// The original message's own headers (those kept as `original.*`).
    public var originalHeaders: [KafkaHeader]

    /// Reads a dead letter; nil when the message has no `reason` header (not a dead letter).
    public init?(_ message: KafkaMessage) {
        func header(_ name: String) -> String? {
            message.headers.last { $0.key == name }?.value.map { String(decoding: $0, as: UTF8.self) }
        }
        guard let reason = header(DeadLetterHeaders.reason) else { return nil }
        id = Self.id(partition: message.partition, offset: message.offset)
        partition = message.partition
        offset = message.offset
        time = message.timestamp
        key = message.key
        value = message.value
        self.reason = reason
        detail = header(DeadLetterHeaders.detail) ?? ""
        service = header(DeadLetterHeaders.service) ?? ""
        sourceTopic = header(DeadLetterHeaders.sourceTopic)
        sourcePartition = header(DeadLetterHeaders.sourcePartition).flatMap { Int32($0) }
        sourceOffset = header(DeadLetterHeaders.sourceOffset).flatMap { Int64($0) }
        bodyOmitted = header(DeadLetterHeaders.bodyOmitted)
        bodyBytes = header(DeadLetterHeaders.bodyBytes).flatMap { Int($0) }
        originalHeaders = DeadLetterHeaders.originalHeaders(of: message.headers)
    }

    /// `<partition>:<offset>` in the dead-letter topic.
    public static func id(partition: Int32, offset: Int64) -> String { "\(partition):\(offset)" }

    /// Parses `<partition>:<offset>`.
    public static func position(of id: String) -> (partition: Int32, offset: Int64)? {
        let parts = id.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let partition = Int32(parts[0]), let offset = Int64(parts[1]), partition >= 0, offset >= 0 else { return nil }
        return (partition, offset)
    }

    /// The original message's identity: source position and a digest of key and value.
    public var replayKey: String {
        let digest = String(MessageIdentity.digest(key: key, value: value), radix: 16)
        return "\(sourceTopic ?? "?")/\(sourcePartition.map(String.init) ?? "?")/\(sourceOffset.map(String.init) ?? "?")/"
            + String(repeating: "0", count: 16 - digest.count) + digest
    }

    /// Why this dead letter cannot be replayed as it is, or nil when it can.
    public var replayProblem: String? {
        if let omitted = bodyOmitted {
            let position = "\(sourceTopic ?? "?") partition \(sourcePartition.map(String.init) ?? "?") offset \(sourceOffset.map(String.init) ?? "?")"
            return "its body was omitted (\(omitted), \(bodyBytes.map { "\($0) bytes" } ?? "size unknown")): the original bytes are only at \(position), while that topic's retention keeps them; fetch them from there and send them again"
        }
        guard let topic = sourceTopic, !topic.isEmpty else { return "it has no source.topic header: the original topic is not known" }
        if value == nil { return "it has no value (a tombstone on \(topic)): there is nothing to replay" }
        return nil
    }

    /// The message a replay sends: the original key, bytes and headers, to the original
    /// topic, plus `replay.deadletter` (this letter's id) so that a replay shows as one.
    public func replayMessage() -> KafkaOutgoingMessage? {
        guard replayProblem == nil, let topic = sourceTopic else { return nil }
        return KafkaOutgoingMessage(topic: topic, key: key, value: value,
                                    headers: originalHeaders.filter { $0.key != Self.replayHeader } + [KafkaHeader(key: Self.replayHeader, value: id)])
    }

    /// Header on a replayed message: the id of the dead letter it was replayed from.
    public static let replayHeader = "replay.deadletter"
}

/// Which dead letters `orderctl deadletter list/replay` selects: every given condition must hold.
public struct DeadLetterFilter: Sendable, Hashable {
    /// Reason codes (any of them); empty = all.
    public var reasons: Set<String>
    /// Services (any of them); empty = all.
    public var services: Set<String>
    /// Written at or after this time (letters without a timestamp never match).
    public var since: Date?
    /// Original topics (any of them, with the deployment's prefix); empty = all.
    public var sourceTopics: Set<String>

    public init(reasons: Set<String> = [], services: Set<String> = [], since: Date? = nil, sourceTopics: Set<String> = []) {
        self.reasons = reasons
        self.services = services
        self.since = since
        self.sourceTopics = sourceTopics
    }

    /// No condition at all.
    public var isEmpty: Bool { reasons.isEmpty && services.isEmpty && since == nil && sourceTopics.isEmpty }

    public func matches(_ letter: DeadLetter) -> Bool {
        if !reasons.isEmpty, !reasons.contains(letter.reason) { return false }
        if !services.isEmpty, !services.contains(letter.service) { return false }
        if !sourceTopics.isEmpty, !sourceTopics.contains(letter.sourceTopic ?? "") { return false }
        if let since {
            guard let time = letter.time, time >= since else { return false }
        }
        return true
    }

    /// `--since`: an RFC 3339 time, or an age back from `now` (`30m`, `12h`, `7d`).
    public static func parseSince(_ text: String, now: Date = Date()) -> Date? {
        if let date = Timestamp.parse(text) { return date }
        if let seconds = RetentionPeriod.seconds(of: text) { return now.addingTimeInterval(-seconds) }
        return nil
    }
}
