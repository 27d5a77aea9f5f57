import Foundation
import OrderModel

/// A record a department keeps in its own state: stored as JSON under (`kind`, key).
public protocol StateRecord: Codable, Sendable {
    /// The table-like namespace of the record, e.g. `warehouse.stock`.
    static var kind: String { get }
}

/// The department's own state, as its rules see it: keyed records plus named sequences.
///
/// The runtime hands the rules a store bound to the current database transaction, so
/// everything a handler writes commits together with the inbox row and the outgoing
/// events, or not at all. Unit tests use `InMemoryStateStore`.
public protocol StateStore: AnyObject {
    func loadRaw(kind: String, key: String) throws -> Data?
    func storeRaw(kind: String, key: String, value: Data) throws
    func removeRaw(kind: String, key: String) throws
    /// Every record of `kind`, ordered by key.
    func loadAllRaw(kind: String) throws -> [(key: String, value: Data)]
    /// The next value of the named sequence, starting at 1.
    func nextSequence(_ name: String) throws -> Int64
}

extension StateStore {
    /// The record of type `R` under `key`, if there is one.
    public func get<R: StateRecord>(_ type: R.Type, _ key: String) throws -> R? {
        guard let data = try loadRaw(kind: R.kind, key: key) else { return nil }
        return try OrderFlowJSON.decoder.decode(R.self, from: data)
    }

    /// Stores `record` under `key`, replacing what was there.
    public func put<R: StateRecord>(_ record: R, _ key: String) throws {
        try storeRaw(kind: R.kind, key: key, value: OrderFlowJSON.encoder.encode(record))
    }

    /// Removes the record of type `R` under `key` (nothing happens if there is none).
    public func remove<R: StateRecord>(_ type: R.Type, _ key: String) throws {
        try removeRaw(kind: R.kind, key: key)
    }

    /// Every record of type `R`, ordered by key.
    public func all<R: StateRecord>(_ type: R.Type) throws -> [(key: String, value: R)] {
        try loadAllRaw(kind: R.kind).map { ($0.key, try OrderFlowJSON.decoder.decode(R.self, from: $0.value)) }
    }

    /// Master data: the product with `sku`, as last published on `masterdata.products`.
    public func product(_ sku: SKU) throws -> ProductRecord? { try get(ProductRecord.self, sku.rawValue) }

    /// Master data: the customer with `id`, as last published on `masterdata.customers`.
    public func customer(_ id: CustomerID) throws -> CustomerRecord? { try get(CustomerRecord.self, id.rawValue) }
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
}
