import DepartmentKit
import Foundation
import GRDB
import Kafka
import OrderModel

/// The embedded default `ServiceDatabase`: one SQLite file per service (GRDB, WAL mode).
///
/// One replica's state: opening takes an exclusive lock on `<path>.lock` (`DatabaseFileLock`)
/// for the object's life, so a second process (or a second open in this one) on the same
/// file is refused with `SecondReplicaRefused` instead of sharing it.
///
/// GRDB runs every access on its own serial dispatch queue; the async methods suspend
/// the caller instead of blocking Swift's cooperative thread pool.
public final class SQLiteServiceDatabase: ServiceDatabase {
    private let pool: DatabasePool
    private let lock: DatabaseFileLock

    /// Opens (creating if needed) the database at `path` and migrates it.
    /// - Throws: `SecondReplicaRefused` when another holder has the database's lock.
    public init(path: String) throws {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        lock = try DatabaseFileLock(databasePath: path)
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        configuration.prepareDatabase { db in
            // WAL + FULL: every commit is on disk before the batch's offsets are committed
            // to Kafka. NORMAL would survive kill -9 but not power loss, and after power loss
            // the input would not come again (its offsets are already committed). One fsync
            // per batch is the price.
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        pool = try DatabasePool(path: path, configuration: configuration)
        try Self.migrator.migrate(pool)
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: state, inbox, outbox, sequences") { db in
            try db.execute(sql: """
                CREATE TABLE state (kind TEXT NOT NULL, key TEXT NOT NULL, value BLOB NOT NULL, PRIMARY KEY (kind, key)) WITHOUT ROWID;
                CREATE TABLE inbox (event_id TEXT PRIMARY KEY NOT NULL, processed_at REAL NOT NULL) WITHOUT ROWID;
                CREATE INDEX inbox_processed_at ON inbox (processed_at);
                CREATE TABLE outbox (sequence INTEGER PRIMARY KEY AUTOINCREMENT, topic TEXT NOT NULL, key BLOB, value BLOB, headers TEXT NOT NULL);
                CREATE TABLE sequences (name TEXT PRIMARY KEY NOT NULL, value INTEGER NOT NULL) WITHOUT ROWID;
                """)
        }
        migrator.registerMigration("v2: timers") { db in
            // One row per (name, key); the due-time index is all a tick with nothing due reads.
            try db.execute(sql: """
                CREATE TABLE timers (name TEXT NOT NULL, key TEXT NOT NULL, due_at REAL NOT NULL, PRIMARY KEY (name, key)) WITHOUT ROWID;
                CREATE INDEX timers_due_at ON timers (due_at);
                """)
        }
        migrator.registerMigration("v3: state as a rowid table") { db in
            // Records are 1–2 KB: too large for a WITHOUT ROWID b-tree (which keeps whole rows
            // in its index pages and spills them to overflow pages), so every write touched
            // many pages and the cost per order grew with the table. A rowid table with an
            // index on (kind, key) keeps the index small and each record in its own cells.
            try db.execute(sql: """
                CREATE TABLE state_rows (id INTEGER PRIMARY KEY, kind TEXT NOT NULL, key TEXT NOT NULL, value BLOB NOT NULL);
                INSERT INTO state_rows (kind, key, value) SELECT kind, key, value FROM state;
                DROP TABLE state;
                ALTER TABLE state_rows RENAME TO state;
                CREATE UNIQUE INDEX state_kind_key ON state (kind, key);
                """)
        }
        migrator.registerMigration("v4: parked outbox rows") { db in
            // Rows the broker refuses for good (too large, unknown topic, not authorised), and
            // later rows of the same key held behind them, until an operator re-drives or
            // discards them. Same sequence as in the outbox, so a re-drive keeps the order.
            try db.execute(sql: """
                CREATE TABLE parked (sequence INTEGER PRIMARY KEY, topic TEXT NOT NULL, key BLOB, value BLOB, headers TEXT NOT NULL,
                                     reason TEXT NOT NULL, detail TEXT NOT NULL, parked_at REAL NOT NULL, held_behind INTEGER);
                CREATE INDEX parked_key ON parked (key);
                """)
        }
        migrator.registerMigration("v5: inbox positions") { db in
            // Each entry remembers where its message was read, so that it is pruned only once
            // the group's committed offset is past it. The index leads with the partition and
            // the processing time and carries the offset: a prune reads only the old entries
            // of the partitions it prunes (what it removes, plus any still uncommitted), never
            // the rest of the table. Entries written before have no position (NULL) and are
            // pruned by age, as they were before.
            try db.execute(sql: """
                ALTER TABLE inbox ADD COLUMN source_topic TEXT;
                ALTER TABLE inbox ADD COLUMN source_partition INTEGER;
                ALTER TABLE inbox ADD COLUMN source_offset INTEGER;
                DROP INDEX inbox_processed_at;
                CREATE INDEX inbox_source_age ON inbox (source_topic, source_partition, processed_at, source_offset);
                """)
        }
        return migrator
    }

    /// The statements `pruneInbox` runs, one chunk of at most `limit` entries each (exposed
    /// for the test that checks they are served by the index).
    static let pruneCommittedSQL = """
        DELETE FROM inbox WHERE event_id IN (SELECT event_id FROM inbox
        WHERE source_topic = ? AND source_partition = ? AND processed_at < ? AND source_offset < ? LIMIT ?)
        """
    static let pruneUnpositionedSQL = """
        DELETE FROM inbox WHERE event_id IN (SELECT event_id FROM inbox
        WHERE source_topic IS NULL AND source_partition IS NULL AND processed_at < ? LIMIT ?)
        """
    /// Entries removed per write transaction, so that a large prune never holds the writer
    /// (and the inbox loop behind it) for long.
    static let pruneChunk = 5_000

    public func write<T: Sendable>(_ body: @escaping @Sendable (any ServiceTransaction) throws -> T) async throws -> T {
        try await pool.write { db in try body(SQLiteTransaction(db: db)) }
    }

    public func read<T: Sendable>(_ body: @escaping @Sendable (any StateStore) throws -> T) async throws -> T {
        try await pool.read { db in try body(SQLiteTransaction(db: db)) }
    }

    public func pendingOutbox(limit: Int) async throws -> [OutboxMessage] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT sequence, topic, key, value, headers FROM outbox ORDER BY sequence LIMIT ?", arguments: [limit])
                .map(Self.outboxMessage)
        }
    }

    /// An outbox (or parked) row's message columns.
    private static func outboxMessage(_ row: Row) -> OutboxMessage {
        let headersJSON: String = row["headers"]
        let headers = (try? OrderFlowJSON.decode([String: String].self, from: Data(headersJSON.utf8))) ?? [:]
        let key: Data? = row["key"]
        let value: Data? = row["value"]
        return OutboxMessage(sequence: row["sequence"], topic: row["topic"], key: key.map { [UInt8]($0) },
                             value: value.map { [UInt8]($0) }, headers: headers)
    }

    public func park(_ rows: [ParkedRow]) async throws {
        guard !rows.isEmpty else { return }
        try await pool.write { db in
            for row in rows {
                let message = row.message
                let headersJSON = String(decoding: try OrderFlowJSON.encode(message.headers), as: UTF8.self)
                try db.execute(sql: """
                    INSERT OR REPLACE INTO parked (sequence, topic, key, value, headers, reason, detail, parked_at, held_behind)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [message.sequence, message.topic, message.key.map { Data($0) }, message.value.map { Data($0) },
                                     headersJSON, row.reason, row.detail, row.parkedAt.timeIntervalSince1970, row.heldBehind])
                try db.execute(sql: "DELETE FROM outbox WHERE sequence = ?", arguments: [message.sequence])
            }
        }
    }

    public func parkedRows(limit: Int) async throws -> [ParkedRow] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM parked ORDER BY sequence LIMIT ?", arguments: [limit]).map { row in
                ParkedRow(message: Self.outboxMessage(row), reason: row["reason"], detail: row["detail"],
                          parkedAt: Date(timeIntervalSince1970: row["parked_at"]), heldBehind: row["held_behind"])
            }
        }
    }

    public func parkedSummary() async throws -> ParkedSummary {
        try await pool.read { db in
            let count = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM parked") ?? 0
            var first: [[UInt8]: Int64] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT key, MIN(sequence) AS first FROM parked WHERE key IS NOT NULL GROUP BY key") {
                let key: Data = row["key"]
                first[[UInt8](key)] = row["first"]
            }
            return ParkedSummary(count: count, firstSequenceByKey: first)
        }
    }

    public func unpark(sequence: Int64?) async throws -> [OutboxMessage] {
        try await pool.write { db in
            let rows: [Row]
            if let sequence {
                guard let chosen = try Row.fetchOne(db, sql: "SELECT key FROM parked WHERE sequence = ?", arguments: [sequence]) else { return [] }
                let key: Data? = chosen["key"]
                rows = key == nil
                    ? try Row.fetchAll(db, sql: "SELECT * FROM parked WHERE sequence = ?", arguments: [sequence])
                    : try Row.fetchAll(db, sql: "SELECT * FROM parked WHERE key = ? ORDER BY sequence", arguments: [key])
            } else {
                rows = try Row.fetchAll(db, sql: "SELECT * FROM parked ORDER BY sequence")
            }
            let messages = rows.map(Self.outboxMessage)
            for (row, message) in zip(rows, messages) {
                try db.execute(sql: "INSERT OR REPLACE INTO outbox (sequence, topic, key, value, headers) VALUES (?, ?, ?, ?, ?)",
                               arguments: [message.sequence, message.topic, row["key"] as Data?, row["value"] as Data?, row["headers"] as String])
                try db.execute(sql: "DELETE FROM parked WHERE sequence = ?", arguments: [message.sequence])
            }
            return messages
        }
    }

    public func discardParked(sequence: Int64) async throws -> Bool {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM parked WHERE sequence = ?", arguments: [sequence])
            return db.changesCount > 0
        }
    }

    public func markPublished(upTo sequences: [Int64]) async throws {
        guard !sequences.isEmpty else { return }
        try await pool.write { db in
            for chunk in stride(from: 0, to: sequences.count, by: 500) {
                let slice = Array(sequences[chunk..<min(chunk + 500, sequences.count)])
                try db.execute(sql: "DELETE FROM outbox WHERE sequence IN (\(slice.map { _ in "?" }.joined(separator: ",")))",
                               arguments: StatementArguments(slice))
            }
        }
    }

    public func outboxBacklog() async throws -> Int {
        try await pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM outbox") ?? 0 }
    }

    public func pruneInbox(olderThan date: Date, committed: [KafkaTopicPartition: Int64]) async throws -> Int {
        let before = date.timeIntervalSince1970
        let chunk = Self.pruneChunk
        var passes: [(sql: String, arguments: StatementArguments)] = [(Self.pruneUnpositionedSQL, [before, chunk])]
        for (partition, next) in committed.sorted(by: { $0.key < $1.key }) {
            passes.append((Self.pruneCommittedSQL, [partition.topic, partition.partition, before, next, chunk]))
        }
        var removed = 0
        for pass in passes {
            while true {
                let count = try await pool.write { db in
                    try db.execute(sql: pass.sql, arguments: pass.arguments)
                    return db.changesCount
                }
                removed += count
                if count < chunk { break }
            }
        }
        return removed
    }
}

/// A `ServiceTransaction` over one GRDB database connection inside a transaction.
/// Lives only for the duration of one `write`/`read` closure, on GRDB's queue. Every
/// statement is prepared once per connection and reused (GRDB's statement cache).
final class SQLiteTransaction: ServiceTransaction {
    let db: Database

    init(db: Database) { self.db = db }

    private func statement(_ sql: String) throws -> Statement { try db.cachedStatement(sql: sql) }

    func loadRaw(kind: String, key: String) throws -> Data? {
        try Data.fetchOne(statement("SELECT value FROM state WHERE kind = ? AND key = ?"), arguments: [kind, key])
    }

    func storeRaw(kind: String, key: String, value: Data) throws {
        try statement("INSERT INTO state (kind, key, value) VALUES (?, ?, ?) ON CONFLICT(kind, key) DO UPDATE SET value = excluded.value")
            .execute(arguments: [kind, key, value])
    }

    func removeRaw(kind: String, key: String) throws {
        try statement("DELETE FROM state WHERE kind = ? AND key = ?").execute(arguments: [kind, key])
    }

    func loadAllRaw(kind: String) throws -> [(key: String, value: Data)] {
        try Row.fetchAll(statement("SELECT key, value FROM state WHERE kind = ? ORDER BY key"), arguments: [kind])
            .map { ($0["key"], $0["value"]) }
    }

    func loadRangeRaw(kind: String, after: String?, limit: Int) throws -> [(key: String, value: Data)] {
        // Served by the (kind, key) index: reads the page, not the kind.
        try Row.fetchAll(statement("SELECT key, value FROM state WHERE kind = ? AND key > ? ORDER BY key LIMIT ?"),
                         arguments: [kind, after ?? "", max(0, limit)])
            .map { ($0["key"], $0["value"]) }
    }

    func nextSequence(_ name: String) throws -> Int64 {
        try Int64.fetchOne(statement("INSERT INTO sequences (name, value) VALUES (?, 1) ON CONFLICT(name) DO UPDATE SET value = value + 1 RETURNING value"),
                           arguments: [name]) ?? 1
    }

    func schedule(_ name: String, key: String, at: Date) throws {
        try statement("INSERT INTO timers (name, key, due_at) VALUES (?, ?, ?) ON CONFLICT(name, key) DO UPDATE SET due_at = excluded.due_at")
            .execute(arguments: [name, key, at.timeIntervalSince1970])
    }

    func cancelTimer(_ name: String, key: String) throws {
        try statement("DELETE FROM timers WHERE name = ? AND key = ?").execute(arguments: [name, key])
    }

    func dueTimers(at now: Date, limit: Int) throws -> [DueTimer] {
        try Row.fetchAll(statement("SELECT name, key, due_at FROM timers WHERE due_at <= ? ORDER BY due_at, name, key LIMIT ?"),
                         arguments: [now.timeIntervalSince1970, limit])
            .map { DueTimer(name: $0["name"], key: $0["key"], dueAt: Date(timeIntervalSince1970: $0["due_at"])) }
    }

    func hasProcessed(_ eventId: String) throws -> Bool {
        try Bool.fetchOne(statement("SELECT EXISTS(SELECT 1 FROM inbox WHERE event_id = ?)"), arguments: [eventId]) ?? false
    }

    func markProcessedIfNew(_ eventId: String, at date: Date, position: InboxPosition?) throws -> Bool {
        try statement("""
            INSERT OR IGNORE INTO inbox (event_id, processed_at, source_topic, source_partition, source_offset) VALUES (?, ?, ?, ?, ?)
            """)
            .execute(arguments: [eventId, date.timeIntervalSince1970, position?.partition.topic, position?.partition.partition,
                                 position?.offset])
        return db.changesCount > 0
    }

    func enqueue(topic: String, key: [UInt8]?, value: [UInt8]?, headers: [String: String]) throws -> OutboxMessage {
        let headersJSON = String(decoding: try OrderFlowJSON.encode(headers), as: UTF8.self)
        try statement("INSERT INTO outbox (topic, key, value, headers) VALUES (?, ?, ?, ?)")
            .execute(arguments: [topic, key.map { Data($0) }, value.map { Data($0) }, headersJSON])
        return OutboxMessage(sequence: db.lastInsertedRowID, topic: topic, key: key, value: value, headers: headers)
    }

    func deletePublished(_ sequences: [Int64]) throws {
        let delete = try statement("DELETE FROM outbox WHERE sequence = ?")
        for sequence in sequences { try delete.execute(arguments: [sequence]) }
    }

    func isolated<T>(_ body: () throws -> T) throws -> T {
        var result: T?
        try db.inSavepoint {
            result = try body()
            return .commit
        }
        return result!
    }
}
