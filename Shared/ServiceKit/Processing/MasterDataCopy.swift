import DepartmentKit
import Foundation
import OrderModel
import Synchronization

/// The service's master data (products and customers) in memory, decoded once: the
/// materialiser loads it from the database at start and applies every change it commits;
/// each batch reads a snapshot of it (copy-on-write dictionaries, so taking one is free).
public final class MasterDataCopy: Sendable {
    /// Master-data records by kind and key. A kind that is present is authoritative: a key
    /// missing from it means there is no such record.
    public struct Snapshot: Sendable {
        public var records: [String: [String: any StateRecord]]
        public static let empty = Snapshot(records: [:])
    }

    private let state = Mutex(Snapshot(records: [ProductRecord.kind: [:], CustomerRecord.kind: [:]]))

    public init() {}

    /// The current copy.
    public var snapshot: Snapshot { state.withLock { $0 } }

    /// Replaces the copy with `snapshot`.
    public func replace(with snapshot: Snapshot) { state.withLock { $0 = snapshot } }

    /// Replaces the copy with what `store` holds (at start).
    public func load(from store: any StateStore) throws {
        let products = try store.all(ProductRecord.self)
        let customers = try store.all(CustomerRecord.self)
        state.withLock { copy in
            copy.records[ProductRecord.kind] = Dictionary(uniqueKeysWithValues: products.map { ($0.key, $0.value as any StateRecord) })
            copy.records[CustomerRecord.kind] = Dictionary(uniqueKeysWithValues: customers.map { ($0.key, $0.value as any StateRecord) })
        }
    }

    /// Applies changes that were committed to the database.
    public func apply(_ changes: [MasterDataMaterialiser.Change]) {
        state.withLock { copy in
            for change in changes {
                switch change {
                case .upsertProduct(let product): copy.records[ProductRecord.kind, default: [:]][product.sku.rawValue] = product
                case .upsertCustomer(let customer): copy.records[CustomerRecord.kind, default: [:]][customer.customerId.rawValue] = customer
                case .deleteProduct(let sku): copy.records[ProductRecord.kind]?[sku.rawValue] = nil
                case .deleteCustomer(let id): copy.records[CustomerRecord.kind]?[id.rawValue] = nil
                case .invalid: break
                }
            }
        }
    }
}
