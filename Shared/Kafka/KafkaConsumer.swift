import CRdKafka
import Dispatch
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// Consumer settings.
public struct KafkaConsumerConfig: Sendable {
    /// How the consumer obtains partitions.
    public enum Mode: Sendable, Hashable {
        /// Subscribe to the topics as a member of consumer group `id`; offsets are committed
        /// explicitly with `commit(_:)` (`enable.auto.commit=false`, `enable.auto.offset.store=false`),
        /// and a group without commits starts at the earliest offset.
        case group(id: String)
        /// No group: assign every partition of the topics from the beginning (found via
        /// metadata). Used to materialise compacted master-data topics. Cannot commit.
        case assignAll
    }

    /// Connection settings; `client.options` override the consumer defaults.
    public var client: KafkaClientConfig
    /// Group or assign-all mode.
    public var mode: Mode
    /// Topics to read.
    public var topics: [String]
    /// Timeout for metadata / watermark / commit requests.
    public var requestTimeout: Duration

    /// Creates consumer settings.
    public init(client: KafkaClientConfig, mode: Mode, topics: [String], requestTimeout: Duration = .seconds(10)) {
        self.client = client
        self.mode = mode
        self.topics = topics
        self.requestTimeout = requestTimeout
    }

    func defaultProperties() -> [String: String] {
        var props: [String: String] = [
            "enable.auto.commit": "false",
            "enable.auto.offset.store": "false",
            "auto.offset.reset": "earliest",
            "enable.partition.eof": "false",
            "log.connection.close": "false",
        ]
        switch mode {
        case .group(let id):
            props["group.id"] = id
        case .assignAll:
            // librdkafka's assign() needs a consumer-group object locally (else _UNKNOWN_GROUP);
            // this throwaway id never subscribes or commits, so no broker-side group is formed.
            props["group.id"] = "orderflow-assign-all-\(UUID().uuidString.lowercased())"
        }
        return props
    }
}

/// A pull-based Kafka consumer (group or assign-all mode).
///
/// Every blocking librdkafka call (poll, commit, metadata, watermarks, close) runs on this
/// consumer's own serial `DispatchQueue`, never on Swift's cooperative pool. Messages are
/// fetched only while a caller iterates `batches(maxMessages:maxWait:)`; group joins and
/// rebalances also progress only then (as with any poll-driven Kafka consumer).
/// As a ServiceLifecycle `Service`, `run()` waits for graceful shutdown and then `close()`s.
public final class KafkaConsumer: Service, Sendable {
    private enum Phase { case open, closing, closed }

    let shared: RebalanceHandler
    private let handle: RdKafkaHandle
    private let queue: DispatchQueue
    private let config: KafkaConsumerConfig
    private let logger: Logger
    private let phase = Mutex(Phase.open)

    /// Assignment changes decided by the group (and the initial assignment in assign-all mode).
    /// Buffers the newest 64 events.
    public let rebalanceEvents: AsyncStream<KafkaRebalanceEvent>

    /// Creates the consumer; in group mode it subscribes immediately (joining happens while
    /// batches are polled).
    /// - Throws: `.unsupportedLibrary`, `.configuration` (also for an empty topic list).
    public init(config: KafkaConsumerConfig, logger: Logger = Logger(label: "orderflow.kafka.consumer")) throws {
        guard !config.topics.isEmpty else { throw KafkaError(.configuration, "consumer needs at least one topic") }
        self.config = config
        self.logger = logger
        let (stream, continuation) = AsyncStream.makeStream(of: KafkaRebalanceEvent.self, bufferingPolicy: .bufferingNewest(64))
        rebalanceEvents = stream
        shared = RebalanceHandler(logger: logger, events: continuation)
        let context = ClientContext(logger: logger, role: .consumer, rebalancer: shared)
        let isGroup: Bool
        if case .group = config.mode { isGroup = true } else { isGroup = false }
        handle = try RdKafkaHandle.make(
            type: RD_KAFKA_CONSUMER,
            properties: config.client.properties(for: .consumer, defaults: config.defaultProperties()),
            context: context
        ) { conf in
            if isGroup { rd_kafka_conf_set_rebalance_cb(conf, rebalanceCallback) }
        }
        queue = DispatchQueue(label: "orderflow.kafka.consumer")
        // Serve logs/errors of the main queue from rd_kafka_consumer_poll.
        rd_kafka_poll_set_consumer(handle.pointer)
        if isGroup {
            let list = PartitionList.make(config.topics.map { (KafkaTopicPartition(topic: $0, partition: RD_KAFKA_PARTITION_UA), nil) })
            defer { rd_kafka_topic_partition_list_destroy(list) }
            let err = rd_kafka_subscribe(handle.pointer, list)
            if err != RD_KAFKA_RESP_ERR_NO_ERROR {
                phase.withLock { $0 = .closed }  // deinit (which runs after a throwing init) must not close again
                handle.destroy()
                shared.finish()
                throw KafkaError(.configuration, "subscribe to \(config.topics) failed: \(KafkaError.describe(err))", rdKafka: err)
            }
        }
    }

    /// Convenience: consumer with default request timeout.
    public convenience init(
        client: KafkaClientConfig, mode: KafkaConsumerConfig.Mode, topics: [String],
        logger: Logger = Logger(label: "orderflow.kafka.consumer")
    ) throws {
        try self.init(config: KafkaConsumerConfig(client: client, mode: mode, topics: topics), logger: logger)
    }

    deinit {
        let needsClose = phase.withLock { p -> Bool in
            defer { p = .closed }
            return p == .open
        }
        guard needsClose else { return }
        queue.async { [handle, shared] in
            guard !handle.isDestroyed else { return }
            rd_kafka_consumer_close(handle.pointer)
            handle.destroy()
            shared.finish()
        }
    }

    /// The partitions currently assigned to this consumer.
    public var assignment: Set<KafkaTopicPartition> { shared.assignment }

    /// Group mode: whether the consumer is a member of the current group generation (it has
    /// received an assignment — possibly empty if the group has more members than partitions —
    /// and has not had everything revoked since). Assign-all mode: whether the partitions have
    /// been assigned (on the first poll that finds all topics). Joining progresses only while
    /// batches are being polled.
    public var isJoined: Bool { shared.isJoined }

    /// Whether `close()` has begun.
    public var isClosed: Bool { phase.withLock { $0 != .open } }

    /// Batches of messages as they arrive. Each `next()` polls until `maxMessages` arrived or
    /// `maxWait` passed; empty batches are not yielded (polling continues). Returns `nil` once
    /// the consumer is closed or the iterating task is cancelled. At most one batch is held.
    public func batches(maxMessages: Int = 100, maxWait: Duration = .milliseconds(100)) -> KafkaBatches {
        KafkaBatches(consumer: self, maxMessages: max(1, maxMessages), maxWait: maxWait)
    }

    /// One poll: waits until `maxMessages` arrived or `maxWait` passed and returns what came,
    /// possibly an empty array (useful to notice "nothing more to read", e.g. because Tansu
    /// never hands out tombstones so a partition's end offset is never seen). Returns `nil`
    /// once the consumer is closed. Prefer `batches(maxMessages:maxWait:)` for streaming.
    public func poll(maxMessages: Int = 100, maxWait: Duration = .milliseconds(100)) async throws -> [KafkaMessage]? {
        switch try await pollBatch(maxMessages: max(1, maxMessages), maxWait: maxWait) {
        case .closed: return nil
        case .messages(let batch): return batch
        }
    }

    /// Commits the given next offsets (offset + 1 of the last processed message) synchronously.
    /// Partitions no longer assigned are skipped (and logged).
    /// - Throws: `.commit` on failure (or in assign-all mode), `.shutdown` once closed.
    /// - Returns: the offsets committed (partitions no longer assigned are left out).
    @discardableResult
    public func commit(_ offsets: [KafkaTopicPartition: Int64]) async throws -> [KafkaTopicPartition: Int64] {
        guard case .group = config.mode else {
            throw KafkaError(.commit, "assign-all consumers have no group to commit offsets to")
        }
        if offsets.isEmpty { return [:] }
        return try await runBlocking(on: queue) { [self] in
            guard !handle.isDestroyed else { throw KafkaError(.shutdown, "consumer is closed") }
            let current = shared.assignment
            var entries: [(KafkaTopicPartition, Int64?)] = []
            var skipped: [KafkaTopicPartition] = []
            for (tp, offset) in offsets.sorted(by: { $0.key < $1.key }) {
                if current.contains(tp) { entries.append((tp, offset)) } else { skipped.append(tp) }
            }
            if !skipped.isEmpty {
                logger.info("not committing partitions that are no longer assigned", metadata: ["partitions": "\(skipped)"])
            }
            if entries.isEmpty { return [:] }
            let list = PartitionList.make(entries)
            defer { rd_kafka_topic_partition_list_destroy(list) }
            let err = rd_kafka_commit(handle.pointer, list, 0)
            if err != RD_KAFKA_RESP_ERR_NO_ERROR {
                throw KafkaError(.commit, "commit of \(entries.map(\.0)) failed: \(KafkaError.describe(err))", rdKafka: err)
            }
            // rd_kafka_commit copies the list, so per-partition errors are not written back
            // here: the call's own result is the one to check.
            var committed: [KafkaTopicPartition: Int64] = [:]
            for (tp, offset) in entries { committed[tp] = offset }
            return committed
        }
    }

    /// High watermarks (offset of the next message to be written) of every partition of the
    /// consumer's topics, queried from the brokers (`rd_kafka_query_watermark_offsets`), raised to
    /// the high watermark of this consumer's latest fetch response when that is larger.
    /// Topics that do not exist are left out.
    ///
    /// Against Tansu, partitions this consumer has not fetched yet may be under-reported (Tansu
    /// answers "start of the last record batch + 1"); re-query after reaching the target to converge.
    public func highWatermarks() async throws -> [KafkaTopicPartition: Int64] {
        try await runBlocking(on: queue) { [self] in
            guard !handle.isDestroyed else { throw KafkaError(.shutdown, "consumer is closed") }
            let counts = try Metadata.partitionCounts(handle.pointer, timeout: config.requestTimeout)
            var result: [KafkaTopicPartition: Int64] = [:]
            for topic in config.topics {
                guard let count = counts[topic] else { continue }
                for p in 0..<Int32(count) {
                    var low: Int64 = 0
                    var high: Int64 = 0
                    let err = rd_kafka_query_watermark_offsets(handle.pointer, topic, p, &low, &high, config.requestTimeout.milliseconds)
                    if err != RD_KAFKA_RESP_ERR_NO_ERROR {
                        throw KafkaError(.admin, "watermark query for \(topic)[\(p)] failed: \(KafkaError.describe(err))", rdKafka: err)
                    }
                    // Tansu quirk: ListOffsets(latest) answers "base offset of the last record
                    // batch + 1", which under-reports when that batch holds several records.
                    // Fetch responses carry the true high watermark, which librdkafka caches for
                    // partitions this consumer has fetched: take the larger of the two.
                    var cachedLow: Int64 = 0
                    var cachedHigh: Int64 = -1
                    if rd_kafka_get_watermark_offsets(handle.pointer, topic, p, &cachedLow, &cachedHigh) == RD_KAFKA_RESP_ERR_NO_ERROR,
                       cachedHigh > high {
                        high = cachedHigh
                    }
                    result[KafkaTopicPartition(topic: topic, partition: p)] = high
                }
            }
            return result
        }
    }

    /// The high watermarks librdkafka last saw in fetch responses for the assigned
    /// partitions: no broker round trip, so cheap enough for a lag gauge. Partitions not
    /// fetched yet are left out.
    public func cachedHighWatermarks() async throws -> [KafkaTopicPartition: Int64] {
        let partitions = shared.assignment
        return try await runBlocking(on: queue) { [self] in
            guard !handle.isDestroyed else { throw KafkaError(.shutdown, "consumer is closed") }
            var result: [KafkaTopicPartition: Int64] = [:]
            for partition in partitions {
                var low: Int64 = 0
                var high: Int64 = -1
                if rd_kafka_get_watermark_offsets(handle.pointer, partition.topic, partition.partition, &low, &high) == RD_KAFKA_RESP_ERR_NO_ERROR,
                   high >= 0 {
                    result[partition] = high
                }
            }
            return result
        }
    }

    /// Leaves the group (`rd_kafka_consumer_close`, which revokes the assignment) and destroys
    /// the handle. Idempotent; in-flight polls end within ~100 ms and their iterators finish.
    public func close() async {
        phase.withLock { if $0 == .open { $0 = .closing } }
        _ = try? await runBlocking(on: queue) { [self] in
            guard !handle.isDestroyed else { return }
            let err = rd_kafka_consumer_close(handle.pointer)
            if err != RD_KAFKA_RESP_ERR_NO_ERROR {
                logger.warning("consumer close: \(KafkaError.describe(err))")
            }
            handle.destroy()
            phase.withLock { $0 = .closed }
            shared.finish()
        }
    }

    /// ServiceLifecycle entry point: waits for graceful shutdown (or cancellation), then `close()`.
    public func run() async throws {
        try? await gracefulShutdown()
        await close()
    }

    // MARK: Polling (on the queue)

    enum PollOutcome: Sendable {
        case messages([KafkaMessage])
        case closed
    }

    func pollBatch(maxMessages: Int, maxWait: Duration) async throws -> PollOutcome {
        let cancelled = CancellationFlag()
        return try await withTaskCancellationHandler {
            try await runBlocking(on: queue) { [self] in
                try pollOnQueue(maxMessages: maxMessages, maxWait: maxWait, cancelled: cancelled)
            }
        } onCancel: {
            cancelled.flag.store(true, ordering: .relaxed)
        }
    }

    private func pollOnQueue(maxMessages: Int, maxWait: Duration, cancelled: CancellationFlag) throws -> PollOutcome {
        guard phase.withLock({ $0 == .open }), !handle.isDestroyed else { return .closed }
        if let fatal = handle.context.fatal { throw fatal }
        if case .assignAll = config.mode, !shared.isJoined { try assignAllPartitions() }
        let deadline = ContinuousClock.now + maxWait
        var batch: [KafkaMessage] = []
        while batch.count < maxMessages {
            if cancelled.flag.load(ordering: .relaxed) || phase.withLock({ $0 != .open }) { break }
            let remaining = deadline - ContinuousClock.now
            if remaining <= .zero { break }
            let timeout = min(remaining, .milliseconds(100)).milliseconds
            guard let message = rd_kafka_consumer_poll(handle.pointer, max(timeout, 1)) else { continue }
            defer { rd_kafka_message_destroy(message) }
            let err = message.pointee.err
            if err == RD_KAFKA_RESP_ERR_NO_ERROR {
                batch.append(KafkaConsumer.copy(message))
            } else if err == RD_KAFKA_RESP_ERR__PARTITION_EOF {
                continue
            } else {
                let text = rd_kafka_message_errstr(message).map { String(cString: $0) } ?? KafkaError.describe(err)
                if err == RD_KAFKA_RESP_ERR__FATAL {
                    throw handle.context.fatal ?? KafkaError(.fatal, text, rdKafka: err)
                }
                logger.warning("consumer error: \(text)", metadata: ["rdkafka.error": "\(String(cString: rd_kafka_err2name(err)))"])
            }
        }
        return .messages(batch)
    }

    /// Assign-all mode: assigns every partition of every topic from the beginning once all
    /// topics are known to the cluster (otherwise retried on the next poll).
    private func assignAllPartitions() throws {
        let counts = try Metadata.partitionCounts(handle.pointer, timeout: config.requestTimeout)
        let missing = config.topics.filter { (counts[$0] ?? 0) == 0 }
        guard missing.isEmpty else {
            logger.debug("assign-all: waiting for topics \(missing)")
            return
        }
        let partitions = config.topics.flatMap { topic in
            (0..<Int32(counts[topic]!)).map { KafkaTopicPartition(topic: topic, partition: $0) }
        }
        let list = PartitionList.make(partitions.map { ($0, Int64(RD_KAFKA_OFFSET_BEGINNING)) })
        defer { rd_kafka_topic_partition_list_destroy(list) }
        let err = rd_kafka_assign(handle.pointer, list)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError(.consume, "assign of \(partitions.count) partitions failed: \(KafkaError.describe(err))", rdKafka: err)
        }
        shared.recordAssigned(partitions)
    }

    /// Copies a message out of librdkafka memory.
    static func copy(_ pointer: UnsafeMutablePointer<rd_kafka_message_t>) -> KafkaMessage {
        let m = pointer.pointee
        let topic = m.rkt.map { String(cString: rd_kafka_topic_name($0)) } ?? ""
        let value = m.payload.map { [UInt8](UnsafeRawBufferPointer(start: $0, count: m.len)) }
        let key = m.key.map { [UInt8](UnsafeRawBufferPointer(start: $0, count: m.key_len)) }
        var headers: [KafkaHeader] = []
        var hdrs: OpaquePointer? = nil
        if rd_kafka_message_headers(pointer, &hdrs) == RD_KAFKA_RESP_ERR_NO_ERROR, let hdrs {
            var index = 0
            var name: UnsafePointer<CChar>? = nil
            var valuePointer: UnsafeRawPointer? = nil
            var size = 0
            while rd_kafka_header_get_all(hdrs, index, &name, &valuePointer, &size) == RD_KAFKA_RESP_ERR_NO_ERROR {
                let headerValue = valuePointer.map { [UInt8](UnsafeRawBufferPointer(start: $0, count: size)) }
                headers.append(KafkaHeader(key: name.map { String(cString: $0) } ?? "", value: headerValue))
                index += 1
            }
        }
        var timestampType = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE
        let millis = rd_kafka_message_timestamp(pointer, &timestampType)
        let timestamp = millis >= 0 ? Date(timeIntervalSince1970: Double(millis) / 1000) : nil
        return KafkaMessage(
            topic: topic, partition: m.partition, offset: m.offset, key: key, value: value,
            headers: headers, timestamp: timestamp)
    }
}

final class CancellationFlag: Sendable {
    let flag = Atomic<Bool>(false)
}

/// The `AsyncSequence` returned by `KafkaConsumer.batches(maxMessages:maxWait:)`:
/// non-empty message batches until the consumer closes or the task is cancelled.
public struct KafkaBatches: AsyncSequence, Sendable {
    public typealias Element = [KafkaMessage]

    let consumer: KafkaConsumer
    let maxMessages: Int
    let maxWait: Duration

    /// Iterator over `KafkaBatches`; each `next()` polls on the consumer's queue.
    public struct AsyncIterator: AsyncIteratorProtocol {
        let consumer: KafkaConsumer
        let maxMessages: Int
        let maxWait: Duration

        /// The next non-empty batch, or `nil` at close / cancellation.
        /// - Throws: `KafkaError(.fatal)` when librdkafka raised a fatal error.
        public mutating func next() async throws -> [KafkaMessage]? {
            while !Task.isCancelled {
                switch try await consumer.pollBatch(maxMessages: maxMessages, maxWait: maxWait) {
                case .closed: return nil
                case .messages(let batch): if !batch.isEmpty { return batch }
                }
            }
            return nil
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(consumer: consumer, maxMessages: maxMessages, maxWait: maxWait)
    }
}

/// Consumer-side state touched by the rebalance callback (on the consumer queue, inside
/// `rd_kafka_consumer_poll` / `rd_kafka_consumer_close`) and read by the Swift API.
final class RebalanceHandler: Sendable {
    private struct State {
        var assignment: Set<KafkaTopicPartition> = []
        var joined = false
    }

    private let state = Mutex(State())
    private let events: AsyncStream<KafkaRebalanceEvent>.Continuation
    let logger: Logger

    init(logger: Logger, events: AsyncStream<KafkaRebalanceEvent>.Continuation) {
        self.logger = logger
        self.events = events
    }

    var assignment: Set<KafkaTopicPartition> { state.withLock { $0.assignment } }
    var isJoined: Bool { state.withLock { $0.joined } }

    func recordAssigned(_ partitions: [KafkaTopicPartition]) {
        state.withLock { state in
            state.assignment.formUnion(partitions)
            state.joined = true
        }
        logger.info("partitions assigned", metadata: ["partitions": "\(partitions.sorted())"])
        events.yield(.assigned(partitions.sorted()))
    }

    func recordRevoked(_ partitions: [KafkaTopicPartition], all: Bool) {
        state.withLock { state in
            if all {
                // EAGER revoke (or error/close): out of the generation until the next assign.
                state.assignment = []
                state.joined = false
            } else {
                state.assignment.subtract(partitions)
            }
        }
        logger.info("partitions revoked", metadata: ["partitions": "\(partitions.sorted())"])
        events.yield(.revoked(partitions.sorted()))
    }

    func finish() {
        state.withLock { state in
            state.assignment = []
            state.joined = false
        }
        events.finish()
    }

    /// Applies the group's decision synchronously (EAGER: assign/unassign everything;
    /// COOPERATIVE: incremental assign/unassign) and records it.
    func handle(_ rk: OpaquePointer, _ err: rd_kafka_resp_err_t, _ list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?) {
        let proto = rd_kafka_rebalance_protocol(rk).map { String(cString: $0) } ?? "NONE"
        let cooperative = proto == "COOPERATIVE"
        let partitions = PartitionList.read(list).map(\.0)
        logger.debug("rebalance callback", metadata: ["protocol": "\(proto)", "event": "\(String(cString: rd_kafka_err2name(err)))"])
        switch err {
        case RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS:
            if cooperative {
                if let error = rd_kafka_incremental_assign(rk, list) {
                    logger.error("incremental assign failed: \(String(cString: rd_kafka_error_string(error)))")
                    rd_kafka_error_destroy(error)
                    return
                }
            } else {
                let result = rd_kafka_assign(rk, list)
                if result != RD_KAFKA_RESP_ERR_NO_ERROR {
                    logger.error("assign failed: \(KafkaError.describe(result))")
                    return
                }
            }
            recordAssigned(partitions)
        case RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS:
            if cooperative {
                if let error = rd_kafka_incremental_unassign(rk, list) {
                    logger.error("incremental unassign failed: \(String(cString: rd_kafka_error_string(error)))")
                    rd_kafka_error_destroy(error)
                }
            } else {
                _ = rd_kafka_assign(rk, nil)
            }
            recordRevoked(partitions, all: !cooperative)
        default:
            logger.error("rebalance error: \(KafkaError.describe(err))")
            if cooperative {
                // Under COOPERATIVE, rd_kafka_assign is refused: give back what is held instead.
                let held = PartitionList.make(assignment.sorted().map { ($0, nil) })
                defer { rd_kafka_topic_partition_list_destroy(held) }
                if let error = rd_kafka_incremental_unassign(rk, held) {
                    logger.error("incremental unassign failed: \(String(cString: rd_kafka_error_string(error)))")
                    rd_kafka_error_destroy(error)
                }
            } else {
                _ = rd_kafka_assign(rk, nil)
            }
            recordRevoked(Array(assignment), all: true)
        }
    }
}

private let rebalanceCallback: @convention(c) (OpaquePointer?, rd_kafka_resp_err_t, UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?, UnsafeMutableRawPointer?) -> Void = {
    rk, err, list, _ in
    guard let rk, let handler = ClientContext.from(rk)?.rebalancer else { return }
    handler.handle(rk, err, list)
}
