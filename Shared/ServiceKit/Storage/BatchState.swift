import DepartmentKit
import Foundation
import OrderModel

/// The state a batch's rules work on: a write-back cache over one database transaction.
///
/// Each record is decoded at most once per batch (on first read) and encoded at most once
/// (by `flush()`, before commit), however many events of the batch touch it. Master data
/// comes from the in-memory copy the materialiser keeps (`MasterDataCopy`), not from the
/// database. Savepoints (`isolated`) cover the cache too: a handler that throws leaves
/// neither its database writes nor its cached writes behind. Inbox, outbox, sequences and
/// timers go straight to the transaction.
///
/// Lives for one `ServiceDatabase.write` closure, on the database's queue, like the
/// transaction it wraps.
final class BatchState: ServiceTransaction {
    /// A cached record: its decoded value (nil: known to be absent) and whether it must be
    /// written at flush.
    private struct Entry {
        var value: (any StateRecord)?
        var dirty: Bool
    }

    private let base: any ServiceTransaction
    private let masterData: MasterDataCopy.Snapshot
    private let shared: RecordCache?
    /// What this transaction read from the database or wrote, for `shared` at the end.
    private var sharedUpdates: [(RecordCache.Key, RecordCache.Entry)] = []
    /// kind → key → entry.
    private var entries: [String: [String: Entry]] = [:]
    /// One frame per open savepoint: (kind, key) → the entry before the savepoint touched
    /// it (nil: it was not cached).
    private var undo: [[CacheKey: Entry?]] = []

    private struct CacheKey: Hashable {
        var kind: String
        var key: String
    }

    /// `shared`: decoded records kept across batches (nil: none).
    init(_ base: any ServiceTransaction, masterData: MasterDataCopy.Snapshot = .empty, shared: RecordCache? = nil) {
        self.base = base
        self.masterData = masterData
        self.shared = shared
    }

    // MARK: Records

    func get<R: StateRecord>(_ type: R.Type, _ key: String) throws -> R? {
        if let records = masterData.records[R.kind] { return records[key] as? R }
        if let entry = entries[R.kind]?[key] { return entry.value as? R }
        if let known = shared?.entry(kind: R.kind, key: key) {
            let value = known.value as? R
            set(Entry(value: value, dirty: false), kind: R.kind, key: key)
            return value
        }
        let value = try base.loadRaw(kind: R.kind, key: key).map { try OrderFlowJSON.decode(R.self, from: $0) }
        set(Entry(value: value, dirty: false), kind: R.kind, key: key)
        return value
    }

    func put<R: StateRecord>(_ record: R, _ key: String) throws {
        set(Entry(value: record, dirty: true), kind: R.kind, key: key)
    }

    func remove<R: StateRecord>(_ type: R.Type, _ key: String) throws {
        set(Entry(value: nil, dirty: true), kind: R.kind, key: key)
    }

    func all<R: StateRecord>(_ type: R.Type) throws -> [(key: String, value: R)] {
        if let records = masterData.records[R.kind] {
            return records.compactMap { key, value in (value as? R).map { (key, $0) } }.sorted { $0.key < $1.key }
        }
        var result: [String: R] = [:]
        for (key, data) in try base.loadAllRaw(kind: R.kind) where entries[R.kind]?[key] == nil {
            let value = try OrderFlowJSON.decode(R.self, from: data)
            set(Entry(value: value, dirty: false), kind: R.kind, key: key)
            result[key] = value
        }
        for (key, entry) in entries[R.kind] ?? [:] {
            if let value = entry.value as? R { result[key] = value }
        }
        return result.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    /// Writes every changed record to the transaction, each encoded once, and hands what
    /// the batch read and wrote to the shared cache. The last step of a write closure: if
    /// the commit after it fails, the caller must `invalidateAll()` the shared cache.
    func flush() throws {
        for (kind, records) in entries {
            for (key, entry) in records {
                if entry.dirty {
                    if let value = entry.value {
                        try base.storeRaw(kind: kind, key: key, value: OrderFlowJSON.encode(value))
                    } else {
                        try base.removeRaw(kind: kind, key: key)
                    }
                }
                if shared != nil { sharedUpdates.append((RecordCache.Key(kind: kind, key: key), RecordCache.Entry(value: entry.value))) }
            }
        }
        entries = [:]
        shared?.store(sharedUpdates)
        sharedUpdates = []
    }

    private func set(_ entry: Entry, kind: String, key: String) {
        if !undo.isEmpty {
            let cacheKey = CacheKey(kind: kind, key: key)
            if undo[undo.count - 1].index(forKey: cacheKey) == nil {
                undo[undo.count - 1][cacheKey] = .some(entries[kind]?[key])
            }
        }
        entries[kind, default: [:]][key] = entry
    }

    // Raw access bypasses the cache: flush what is cached for the record first, then drop it.
    func loadRaw(kind: String, key: String) throws -> Data? {
        if let entry = entries[kind]?[key] { return try entry.value.map { try OrderFlowJSON.encoder.encode($0) } }
        return try base.loadRaw(kind: kind, key: key)
    }

    func storeRaw(kind: String, key: String, value: Data) throws {
        forget(kind: kind, key: key)
        try base.storeRaw(kind: kind, key: key, value: value)
    }

    func removeRaw(kind: String, key: String) throws {
        forget(kind: kind, key: key)
        try base.removeRaw(kind: kind, key: key)
    }

    func loadAllRaw(kind: String) throws -> [(key: String, value: Data)] {
        try flush()
        return try base.loadAllRaw(kind: kind)
    }

    func loadRangeRaw(kind: String, after: String?, limit: Int) throws -> [(key: String, value: Data)] {
        try flush()
        return try base.loadRangeRaw(kind: kind, after: after, limit: limit)
    }

    private func forget(kind: String, key: String) {
        guard entries[kind]?[key] != nil else { return }
        if !undo.isEmpty {
            let cacheKey = CacheKey(kind: kind, key: key)
            if undo[undo.count - 1].index(forKey: cacheKey) == nil { undo[undo.count - 1][cacheKey] = .some(entries[kind]?[key]) }
        }
        entries[kind]?[key] = nil
    }

    // MARK: Savepoints

    func isolated<T>(_ body: () throws -> T) throws -> T {
        undo.append([:])
        do {
            let result = try base.isolated(body)
            let frame = undo.removeLast()
            if !undo.isEmpty {
                // The enclosing savepoint keeps the oldest known state of each key.
                for (key, previous) in frame where undo[undo.count - 1].index(forKey: key) == nil {
                    undo[undo.count - 1][key] = previous
                }
            }
            return result
        } catch {
            let frame = undo.removeLast()
            for (key, previous) in frame { entries[key.kind, default: [:]][key.key] = previous }
            throw error
        }
    }

    // MARK: Straight to the transaction

    func nextSequence(_ name: String) throws -> Int64 { try base.nextSequence(name) }
    func schedule(_ name: String, key: String, at: Date) throws { try base.schedule(name, key: key, at: at) }
    func cancelTimer(_ name: String, key: String) throws { try base.cancelTimer(name, key: key) }
    func dueTimers(at now: Date, limit: Int) throws -> [DueTimer] { try base.dueTimers(at: now, limit: limit) }
    func hasProcessed(_ eventId: String) throws -> Bool { try base.hasProcessed(eventId) }
    func markProcessedIfNew(_ eventId: String, at date: Date, position: InboxPosition?) throws -> Bool {
        try base.markProcessedIfNew(eventId, at: date, position: position)
    }

    func enqueue(topic: String, key: [UInt8]?, value: [UInt8]?, headers: [String: String]) throws -> OutboxMessage {
        try base.enqueue(topic: topic, key: key, value: value, headers: headers)
    }

    func deletePublished(_ sequences: [Int64]) throws { try base.deletePublished(sequences) }
}
