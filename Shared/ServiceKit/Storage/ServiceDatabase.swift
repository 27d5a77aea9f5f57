import DepartmentKit
import Foundation
import Kafka

/// One event (or dead letter) waiting in the outbox: the exact bytes to publish, so a
/// re-publication after a crash sends the same event id again, never a new one.
public struct OutboxMessage: Sendable, Hashable {
    /// Position in the outbox; rows are published in this order.
    public var sequence: Int64
    public var topic: String
    public var key: [UInt8]?
    public var value: [UInt8]?
    public var headers: [String: String]

    public init(sequence: Int64, topic: String, key: [UInt8]?, value: [UInt8]?, headers: [String: String]) {
        self.sequence = sequence
        self.topic = topic
        self.key = key
        self.value = value
        self.headers = headers
    }
}

/// What the processing loop may do inside one database transaction: the department's
/// state (as `StateStore`), the inbox of processed event ids and the outbox.
public protocol ServiceTransaction: StateStore {
    /// Whether an event with this id was processed before (inbox).
    func hasProcessed(_ eventId: String) throws -> Bool
    /// Records that the event is processed (inbox), in one statement: true when it was
    /// new, false when the inbox already had it (a repeat, to be skipped). `position`: where
    /// the message was read (nil: not from a topic); the row is pruned only once its
    /// partition's committed offset has passed it (`ServiceDatabase.pruneInbox`).
    func markProcessedIfNew(_ eventId: String, at: Date, position: InboxPosition?) throws -> Bool
    /// Appends a message to the outbox and returns it as stored (with its sequence).
    @discardableResult
    func enqueue(topic: String, key: [UInt8]?, value: [UInt8]?, headers: [String: String]) throws -> OutboxMessage
    /// Removes outbox rows that were published (carried by the next transaction instead of
    /// a commit of their own).
    func deletePublished(_ sequences: [Int64]) throws
    /// Runs `body` so that its writes are undone if it throws (a savepoint).
    func isolated<T>(_ body: () throws -> T) throws -> T
}

extension ServiceTransaction {
    /// Records that the event was processed (inbox).
    public func markProcessed(_ eventId: String, at date: Date, position: InboxPosition? = nil) throws {
        _ = try markProcessedIfNew(eventId, at: date, position: position)
    }
}

/// Where a consumed message was read: the inbox keeps it with the event id, so that an
/// entry is forgotten only once the group's committed offset is past it (below that offset
/// the broker does not deliver the message again).
public struct InboxPosition: Sendable, Hashable {
    public var partition: KafkaTopicPartition
    public var offset: Int64

    public init(partition: KafkaTopicPartition, offset: Int64) {
        self.partition = partition
        self.offset = offset
    }
}

extension KafkaMessage {
    /// Where this message was read, for its inbox entry.
    public var inboxPosition: InboxPosition { InboxPosition(partition: topicPartition, offset: offset) }
}

/// A service's own database: state, inbox and outbox, written in one transaction per
/// batch. SQLite (`SQLiteServiceDatabase`) is the embedded default; a shared PostgreSQL
/// implementation is what several replicas of one service need.
public protocol ServiceDatabase: Sendable {
    /// Runs `body` in one write transaction; everything it wrote commits together or not at all.
    func write<T: Sendable>(_ body: @escaping @Sendable (any ServiceTransaction) throws -> T) async throws -> T
    /// Up to `limit` unsent outbox rows, oldest first.
    func pendingOutbox(limit: Int) async throws -> [OutboxMessage]
    /// Marks outbox rows as published (removes them).
    func markPublished(upTo sequences: [Int64]) async throws
    /// How many outbox rows wait to be published.
    func outboxBacklog() async throws -> Int
    /// Reads department state outside the processing loop (for ops endpoints).
    func read<T: Sendable>(_ body: @escaping @Sendable (any StateStore) throws -> T) async throws -> T
    /// Removes inbox entries processed before `date` whose position is below the committed
    /// offset of their partition in `committed` (next offsets the group has stored). Entries
    /// of other partitions, and at or past the committed offset, are kept: the broker may
    /// deliver those messages again. Entries without a position (written before positions
    /// were kept) go by age alone. Returns how many were removed.
    func pruneInbox(olderThan date: Date, committed: [KafkaTopicPartition: Int64]) async throws -> Int

    // MARK: Parked outbox rows (see `OutboxPublisher`: rows the broker refuses for good)

    /// Moves `rows` from the outbox to the parked rows, in one transaction.
    func park(_ rows: [ParkedRow]) async throws
    /// Up to `limit` parked rows, oldest first.
    func parkedRows(limit: Int) async throws -> [ParkedRow]
    /// How many rows are parked, and the first parked sequence of each key.
    func parkedSummary() async throws -> ParkedSummary
    /// Moves the selected parked rows back into the outbox (same sequences), in one
    /// transaction, and returns them in sequence order; `sequence` selects that row and
    /// every other parked row of its key, nil selects all.
    func unpark(sequence: Int64?) async throws -> [OutboxMessage]
    /// Deletes one parked row for good; false if there was none with that sequence.
    func discardParked(sequence: Int64) async throws -> Bool
}

/// An outbox row the broker refused for good (or held behind such a row of its key), kept
/// until an operator re-drives or discards it.
public struct ParkedRow: Sendable, Hashable {
    /// The row as it was in the outbox (its sequence is kept).
    public var message: OutboxMessage
    /// Machine-readable: librdkafka's error name (e.g. `MSG_SIZE_TOO_LARGE`, `_UNKNOWN_TOPIC`)
    /// or `held_behind_parked_row`.
    public var reason: String
    /// For people: the producer's error message, or which row it waits behind.
    public var detail: String
    public var parkedAt: Date
    /// The parked row of the same key this one waits behind (nil: parked for its own error).
    public var heldBehind: Int64?

    public init(message: OutboxMessage, reason: String, detail: String, parkedAt: Date, heldBehind: Int64? = nil) {
        self.message = message
        self.reason = reason
        self.detail = detail
        self.parkedAt = parkedAt
        self.heldBehind = heldBehind
    }

    /// The reason `held` rows carry.
    public static let heldReason = "held_behind_parked_row"
}

/// What is parked: the count, and per key the first parked sequence (later rows of a key
/// wait behind it, so that an order's events keep their order).
public struct ParkedSummary: Sendable, Hashable {
    public var count: Int
    public var firstSequenceByKey: [[UInt8]: Int64]
    public init(count: Int = 0, firstSequenceByKey: [[UInt8]: Int64] = [:]) {
        self.count = count
        self.firstSequenceByKey = firstSequenceByKey
    }
}
