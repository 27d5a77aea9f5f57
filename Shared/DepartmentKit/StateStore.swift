import Foundation
import OrderModel

/// A record a department keeps in its own state: stored as JSON under (`kind`, key).
public protocol StateRecord: Codable, Sendable {
    /// The table-like namespace of the record, e.g. `warehouse.stock`.
    static var kind: String { get }
}

/// A wake-up a rule asked for with `StateStore.schedule(_:key:at:)`, now due: `name`
/// says what for (e.g. `warehouse.step`), `key` which record (usually the order id).
public struct DueTimer: Sendable, Hashable {
    public var name: String
    public var key: String
    public var dueAt: Date

    public init(name: String, key: String, dueAt: Date) {
        self.name = name
        self.key = key
        self.dueAt = dueAt
    }
}

/// The department's own state, as its rules see it: keyed records, named sequences and
/// timers.
///
/// The runtime hands the rules a store bound to the current database transaction, so
/// everything a handler writes (records, sequences, timers) commits together with the
/// inbox row and the outgoing events, or not at all. Within one batch the runtime's store
/// decodes each record at most once and encodes it at most once, at commit. Unit tests use
/// `InMemoryStateStore`.
public protocol StateStore: AnyObject {
    func loadRaw(kind: String, key: String) throws -> Data?
    func storeRaw(kind: String, key: String, value: Data) throws
    func removeRaw(kind: String, key: String) throws
    /// Every record of `kind`, ordered by key.
    func loadAllRaw(kind: String) throws -> [(key: String, value: Data)]
    /// Up to `limit` records of `kind` whose keys sort after `after` (nil: from the first),
    /// ordered by key: a page of an index, read in work proportional to the page (the
    /// default reads the whole kind; the SQLite store reads only the page).
    func loadRangeRaw(kind: String, after: String?, limit: Int) throws -> [(key: String, value: Data)]
    /// The next value of the named sequence, starting at 1.
    func nextSequence(_ name: String) throws -> Int64

    /// The record of type `R` under `key`, if there is one.
    func get<R: StateRecord>(_ type: R.Type, _ key: String) throws -> R?
    /// Stores `record` under `key`, replacing what was there.
    func put<R: StateRecord>(_ record: R, _ key: String) throws
    /// Removes the record of type `R` under `key` (nothing happens if there is none).
    func remove<R: StateRecord>(_ type: R.Type, _ key: String) throws
    /// Every record of type `R`, ordered by key.
    func all<R: StateRecord>(_ type: R.Type) throws -> [(key: String, value: R)]

    /// Asks to be woken for (`name`, `key`) at `at`: the rules' `wake(_:state:context:)` is
    /// called once that time has come. One timer per (`name`, `key`); scheduling again
    /// moves it.
    func schedule(_ name: String, key: String, at: Date) throws
    /// Removes the timer (`name`, `key`), if any.
    func cancelTimer(_ name: String, key: String) throws
    /// Timers due at `now` (due time ≤ `now`), earliest first, at most `limit`.
    func dueTimers(at now: Date, limit: Int) throws -> [DueTimer]
}

extension StateStore {
    public func loadRangeRaw(kind: String, after: String?, limit: Int) throws -> [(key: String, value: Data)] {
        Array(try loadAllRaw(kind: kind).lazy.filter { after == nil || $0.key > after! }.prefix(max(0, limit)))
    }

    public func get<R: StateRecord>(_ type: R.Type, _ key: String) throws -> R? {
        guard let data = try loadRaw(kind: R.kind, key: key) else { return nil }
        return try OrderFlowJSON.decode(R.self, from: data)
    }

    public func put<R: StateRecord>(_ record: R, _ key: String) throws {
        try storeRaw(kind: R.kind, key: key, value: OrderFlowJSON.encode(record))
    }

    public func remove<R: StateRecord>(_ type: R.Type, _ key: String) throws {
        try removeRaw(kind: R.kind, key: key)
    }

    public func all<R: StateRecord>(_ type: R.Type) throws -> [(key: String, value: R)] {
        try loadAllRaw(kind: R.kind).map { ($0.key, try OrderFlowJSON.decode(R.self, from: $0.value)) }
    }

    /// Master data: the product with `sku`, as last published on `masterdata.products`.
    public func product(_ sku: SKU) throws -> ProductRecord? { try get(ProductRecord.self, sku.rawValue) }

    /// Master data: the customer with `id`, as last published on `masterdata.customers`.
    public func customer(_ id: CustomerID) throws -> CustomerRecord? { try get(CustomerRecord.self, id.rawValue) }

    /// Schedules (`name`, `key`) at `at`, or removes it when `at` is nil.
    public func reschedule(_ name: String, key: String, at: Date?) throws {
        if let at { try schedule(name, key: key, at: at) } else { try cancelTimer(name, key: key) }
    }
}

extension ProductRecord: StateRecord {
    public static let kind = "masterdata.product"
}

extension CustomerRecord: StateRecord {
    public static let kind = "masterdata.customer"
}

/// A state store held in memory: for unit tests of the pure rules, and for tools.
public final class InMemoryStateStore: StateStore {
    private var records: [String: [String: Data]] = [:]
    private var sequences: [String: Int64] = [:]
    private var timers: [String: [String: Date]] = [:]

    public init() {}

    public func loadRaw(kind: String, key: String) throws -> Data? { records[kind]?[key] }
    public func storeRaw(kind: String, key: String, value: Data) throws { records[kind, default: [:]][key] = value }
    public func removeRaw(kind: String, key: String) throws { records[kind]?[key] = nil }

    public func loadAllRaw(kind: String) throws -> [(key: String, value: Data)] {
        (records[kind] ?? [:]).sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    public func nextSequence(_ name: String) throws -> Int64 {
        let next = (sequences[name] ?? 0) + 1
        sequences[name] = next
        return next
    }

    public func schedule(_ name: String, key: String, at: Date) throws { timers[name, default: [:]][key] = at }
    public func cancelTimer(_ name: String, key: String) throws { timers[name]?[key] = nil }

    public func dueTimers(at now: Date, limit: Int) throws -> [DueTimer] {
        let due = timers.flatMap { name, byKey in
            byKey.filter { $0.value <= now }.map { DueTimer(name: name, key: $0.key, dueAt: $0.value) }
        }
        return Array(due.sorted { ($0.dueAt, $0.name, $0.key) < ($1.dueAt, $1.name, $1.key) }.prefix(limit))
    }

    /// Every timer still scheduled (for tests).
    public var scheduledTimers: [DueTimer] {
        timers.flatMap { name, byKey in byKey.map { DueTimer(name: name, key: $0.key, dueAt: $0.value) } }
            .sorted { ($0.dueAt, $0.name, $0.key) < ($1.dueAt, $1.name, $1.key) }
    }
}
