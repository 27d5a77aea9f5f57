import DepartmentKit
import Synchronization

/// Decoded state records kept across batches, so a record that several batches touch in
/// turn (an order moving through a department) is decoded from the database once, not per
/// batch.
///
/// Valid because the service is the only writer of its database (SQLite; one replica):
/// `BatchState` fills it with what it read and, at the end of a transaction, with what the
/// transaction wrote. A write transaction that fails after changing it calls
/// `invalidateAll()`, so the cache never holds what was not committed. Bounded (by default
/// 5,000 records: a few seconds of orders in flight at full load, so memory stays flat): past
/// `capacity` entries, half are dropped (they are read from the database again when needed).
public final class RecordCache: Sendable {
    struct Key: Hashable, Sendable {
        var kind: String
        var key: String
    }

    /// A record as last committed: its value, or nil when it is known not to exist.
    struct Entry: Sendable {
        var value: (any StateRecord)?
    }

    private let entries = Mutex<[Key: Entry]>([:])
    public let capacity: Int

    public init(capacity: Int = 5_000) { self.capacity = max(0, capacity) }

    func entry(kind: String, key: String) -> Entry? {
        entries.withLock { $0[Key(kind: kind, key: key)] }
    }

    func store(_ updates: [(Key, Entry)]) {
        guard capacity > 0, !updates.isEmpty else { return }
        entries.withLock { entries in
            if entries.count + updates.count > capacity {
                // Drop half (whichever come first in the table): cheap, and bounded memory
                // matters more than which records stay.
                let drop = max(entries.count / 2, entries.count + updates.count - capacity)
                for key in Array(entries.keys.prefix(drop)) { entries[key] = nil }
            }
            for (key, entry) in updates { entries[key] = entry }
        }
    }

    /// Forgets everything (after a failed write transaction).
    public func invalidateAll() { entries.withLock { $0 = [:] } }

    /// How many records are held (for tests and metrics).
    public var count: Int { entries.withLock { $0.count } }
}
