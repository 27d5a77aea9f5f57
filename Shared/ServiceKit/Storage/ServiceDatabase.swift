import DepartmentKit
import Foundation

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
    /// new, false when the inbox already had it (a repeat, to be skipped).
    func markProcessedIfNew(_ eventId: String, at: Date) throws -> Bool
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
    public func markProcessed(_ eventId: String, at date: Date) throws { _ = try markProcessedIfNew(eventId, at: date) }
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
    /// Removes inbox entries older than `date` (the inbox only has to outlive re-delivery).
    func pruneInbox(olderThan date: Date) async throws -> Int
}
