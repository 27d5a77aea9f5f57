import DepartmentKit
import Foundation
import Kafka
import Logging
import OrderModel
import ServiceLifecycle

/// Keeps the service's own copy of the compacted master-data topics
/// (`masterdata.products`, `masterdata.customers`) in its database, where the rules read
/// them. Reads both topics from the beginning at every start (they are compacted, so
/// small), reports when it has caught up with the end offsets seen at start, then
/// follows new records. A null value (tombstone) deletes the record.
public final class MasterDataMaterialiser: Service {
    private let consumer: KafkaConsumer
    private let database: any ServiceDatabase
    private let topics: TopicNames
    private let readiness: Readiness
    private let logger: Logger
    private let copy: MasterDataCopy

    public init(consumer: KafkaConsumer, database: any ServiceDatabase, topics: TopicNames, readiness: Readiness,
                copy: MasterDataCopy = MasterDataCopy(), logger: Logger) {
        self.copy = copy
        self.consumer = consumer
        self.database = database
        self.topics = topics
        self.readiness = readiness
        self.logger = logger
    }

    public func run() async throws {
        // What earlier runs stored is the copy until the topics have been read again.
        let stored = try await database.read { store in
            let copy = MasterDataCopy()
            try copy.load(from: store)
            return copy.snapshot
        }
        copy.replace(with: stored)
        var remaining = try await consumer.highWatermarks().filter { $0.value > 0 }
        var isCaughtUp = false
        var quietPolls = 0
        func markCaughtUp() {
            guard !isCaughtUp else { return }
            isCaughtUp = true
            caughtUp()
        }
        if remaining.isEmpty { markCaughtUp() }
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            guard let batch = try await consumer.poll(maxMessages: 1000, maxWait: .milliseconds(100)) else { break }
            if batch.isEmpty {
                // A partition whose last records are tombstones may never show its end
                // offset here (some brokers hand no tombstones to consumers). So a partition
                // that librdkafka has fetched (it knows its high watermark) and that stayed
                // quiet for ten polls in a row (about a second) counts as read to its end.
                // Partitions not fetched yet keep the caught-up report waiting.
                quietPolls += 1
                if quietPolls >= 10, !remaining.isEmpty, let fetched = try? await consumer.cachedHighWatermarks() {
                    for partition in remaining.keys where fetched[partition] != nil { remaining[partition] = nil }
                    if remaining.isEmpty { markCaughtUp() }
                }
                continue
            }
            quietPolls = 0
            let changes = batch.map { Self.change(from: $0, topics: topics) }
            try await database.write { tx in
                for change in changes { try change.apply(to: tx) }
            }
            copy.apply(changes)
            for (message, change) in zip(batch, changes) {
                if case .invalid(let reason) = change {
                    logger.warning("master-data record ignored", metadata: [
                        "kafka.topic": "\(message.topic)", "kafka.offset": "\(message.offset)", "reason": "\(reason)",
                    ])
                }
                if let end = remaining[message.topicPartition], message.offset + 1 >= end {
                    remaining[message.topicPartition] = nil
                    if remaining.isEmpty { markCaughtUp() }
                }
            }
        }
    }

    private func caughtUp() {
        logger.info("master data caught up")
        readiness.markMasterDataCaughtUp()
    }

    /// One master-data message, read.
    public enum Change: Sendable, Hashable {
        case upsertProduct(ProductRecord)
        case upsertCustomer(CustomerRecord)
        case deleteProduct(SKU)
        case deleteCustomer(CustomerID)
        case invalid(String)

        /// Writes the change into the service's state.
        public func apply(to state: any StateStore) throws {
            switch self {
            case .upsertProduct(let product): try state.put(product, product.sku.rawValue)
            case .upsertCustomer(let customer): try state.put(customer, customer.customerId.rawValue)
            case .deleteProduct(let sku): try state.remove(ProductRecord.self, sku.rawValue)
            case .deleteCustomer(let id): try state.remove(CustomerRecord.self, id.rawValue)
            case .invalid: break
            }
        }
    }

    /// Reads one message of a master-data topic (pure; unit tested with tombstones,
    /// which the local broker never delivers).
    public static func change(from message: KafkaMessage, topics: TopicNames) -> Change {
        let topic = topics.topic(named: message.topic)
        guard let keyBytes = message.key, let key = String(bytes: keyBytes, encoding: .utf8), !key.isEmpty else {
            return .invalid("master-data record without a key")
        }
        guard let value = message.value else {
            switch topic {
            case .products: return .deleteProduct(SKU(key))
            case .customers: return .deleteCustomer(CustomerID(key))
            default: return .invalid("not a master-data topic")
            }
        }
        do {
            switch topic {
            case .products:
                let record = try OrderFlowJSON.decode(ProductRecord.self, from: Data(value))
                guard MasterDataSchema.supportedVersions.contains(record.schemaVersion) else {
                    return .invalid("product schemaVersion \(record.schemaVersion) is not supported")
                }
                guard record.sku.rawValue == key else { return .invalid("key '\(key)' differs from sku '\(record.sku)'") }
                return .upsertProduct(record)
            case .customers:
                let record = try OrderFlowJSON.decode(CustomerRecord.self, from: Data(value))
                guard MasterDataSchema.supportedVersions.contains(record.schemaVersion) else {
                    return .invalid("customer schemaVersion \(record.schemaVersion) is not supported")
                }
                guard record.customerId.rawValue == key else { return .invalid("key '\(key)' differs from customerId '\(record.customerId)'") }
                return .upsertCustomer(record)
            default:
                return .invalid("not a master-data topic")
            }
        } catch {
            return .invalid("unreadable record: \(error)")
        }
    }
}
