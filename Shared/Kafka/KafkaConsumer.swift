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
    /// Timeout for metadata / watermark / commit / seek requests.
    public var requestTimeout: Duration
    /// Topics where offset gaps are legitimate (compacted topics such as master data): the
    /// offset-gap guard does not track them. On every other topic a message past the next
    /// expected offset makes the consumer re-fetch the partition from the expected offset
    /// (see `KafkaConsumer.gapStatistics`).
    public var gapTolerantTopics: Set<String>
    /// Group mode: how often commits that failed are tried again while nothing new is
    /// committed (`KafkaConsumer.pendingCommitFailures`).
    public var commitRetryInterval: Duration

    /// Creates consumer settings.
    public init(
        client: KafkaClientConfig, mode: Mode, topics: [String], requestTimeout: Duration = .seconds(10),
        gapTolerantTopics: Set<String> = [], commitRetryInterval: Duration = .seconds(5)
    ) {
        self.client = client
        self.mode = mode
        self.topics = topics
        self.requestTimeout = requestTimeout
        self.gapTolerantTopics = gapTolerantTopics
        self.commitRetryInterval = commitRetryInterval
    }

    /// Whether partitions without a committed offset start at the log start (librdkafka's
    /// `auto.offset.reset` is earliest, the default here; assign-all always starts there).
    var startsAtLogStartWithoutCommit: Bool {
        if case .assignAll = mode { return true }
        let reset = client.options["auto.offset.reset"] ?? "earliest"
        return ["earliest", "smallest", "beginning"].contains(reset)
    }

    func defaultProperties() -> [String: String] {
        var props: [String: String] = [
            "enable.auto.commit": "false",
            "enable.auto.offset.store": "false",
            "auto.offset.reset": "earliest",
            "enable.partition.eof": "false",
            // Bounded prefetch: librdkafka's defaults buffer up to 64 MB (and 100,000
            // messages) ahead of the application, so a service's memory grew with the
            // backlog on its inbox. 8 MB / 10,000 messages keep every fetch pipeline busy
            // and memory flat however far behind a consumer is.
            "queued.max.messages.kbytes": "8192",
            "queued.min.messages": "10000",
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
///
/// Offset-gap guard: per assigned partition the consumer knows the next offset it expects
/// (the committed position or log start after an assignment, then last delivered + 1). A
/// message past it (records skipped by a fetch, as the local broker Tansu does now and then
/// while several producers append) is discarded and the partition is sought back and
/// re-fetched once; if the re-fetch still starts past the expected offset, the gap is real
/// (transaction markers, compaction, retention) and is accepted. Messages below it (already
/// handed out in this assignment) are dropped. Expectations reset on every assignment change,
/// so a re-delivery after a rebalance is never dropped. Topics in
/// `KafkaConsumerConfig.gapTolerantTopics` are not tracked. Counters: `gapStatistics`.
///
/// Rebalances end a batch: when the group revokes partitions while a batch is being polled
/// (the rebalance callback runs inside the poll), the batch ends there and the messages it
/// already holds of the revoked partitions are dropped (their next owner receives them from
/// the last committed offset), so no batch handed out holds messages of partitions the
/// consumer no longer owns (`revocationStatistics`). `commit` skips unassigned partitions.
///
/// A fatal librdkafka error makes polls throw `KafkaError(.fatal)` and ends `run()` with it.
public final class KafkaConsumer: Service, Sendable {
    private enum Phase { case open, closing, closed }

    let shared: RebalanceHandler
    private let handle: RdKafkaHandle
    private let queue: DispatchQueue
    private let config: KafkaConsumerConfig
    private let logger: Logger
    private let phase = Mutex(Phase.open)
    /// Test hook: microseconds the poll loop sleeps after taking each message into a batch
    /// (0: none), to hold a batch open across a rebalance in tests.
    let delayPerMessageForTesting = Atomic<Int>(0)

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
        shared = RebalanceHandler(logger: logger, events: continuation, gapTolerantTopics: config.gapTolerantTopics)
        let context = ClientContext(logger: logger, role: .consumer, rebalancer: shared)
        let isGroup: Bool
        if case .group = config.mode { isGroup = true } else { isGroup = false }
        handle = try RdKafkaHandle.make(
            type: RD_KAFKA_CONSUMER,
            properties: config.client.properties(for: .consumer, defaults: config.defaultProperties()),
            context: context
        ) { conf in
            if isGroup {
                rd_kafka_conf_set_rebalance_cb(conf, rebalanceCallback)
                rd_kafka_conf_set_offset_commit_cb(conf, offsetCommitCallback)
            }
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
            if handle.checkFatal() != nil {
                handle.destroy(skipConsumerClose: true)
            } else {
                rd_kafka_consumer_close(handle.pointer)
                handle.destroy()
            }
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

    /// Counters of the offset-gap guard since the consumer was created.
    public var gapStatistics: KafkaGapStatistics { shared.gapStatistics }

    /// How often a rebalance revoked partitions while a batch was being polled (the batch
    /// ended there, without the revoked partitions' messages), since the consumer was created.
    public var revocationStatistics: KafkaRevocationStatistics { shared.revocationStatistics }

    /// Assigned partitions whose last commit failed (reported by the broker, or for
    /// `waitForBroker: false` commits by the offset-commit callback), with the next offset
    /// that commit tried to store. The next `commit` retries them (unless it names the
    /// partition itself), and so does the consumer every `commitRetryInterval` while nothing
    /// is committed, until they succeed; they are forgotten when the partition is revoked.
    public var pendingCommitFailures: [KafkaTopicPartition: Int64] { shared.pendingCommitFailures }

    /// Next offsets the broker has confirmed as committed for this group, per partition: the
    /// newest commit of this consumer that succeeded, or the committed offset looked up when
    /// the partition was assigned. Below them the group will not be handed a message again
    /// (unless its offsets are lost or reset), so that is what it is safe to forget.
    public var committedOffsets: [KafkaTopicPartition: Int64] { shared.confirmedCommits }

    /// Batches of messages as they arrive. Each `next()` waits up to `maxWait` for the first
    /// message, then takes what librdkafka has already fetched (no further waiting) up to
    /// `maxMessages`; empty batches are not yielded (polling continues). Returns `nil` once
    /// the consumer is closed or the iterating task is cancelled. At most one batch is held.
    public func batches(maxMessages: Int = 100, maxWait: Duration = .milliseconds(100)) -> KafkaBatches {
        KafkaBatches(consumer: self, maxMessages: max(1, maxMessages), maxWait: maxWait)
    }

    /// One poll: waits up to `maxWait` for a first message, then takes what is already
    /// fetched up to `maxMessages` and returns that, possibly an empty array (useful to notice
    /// "nothing more to read", e.g. because Tansu never hands out tombstones so a partition's
    /// end offset is never seen). Returns `nil` once the consumer is closed. Prefer `batches(maxMessages:maxWait:)` for streaming.
    public func poll(maxMessages: Int = 100, maxWait: Duration = .milliseconds(100)) async throws -> [KafkaMessage]? {
        switch try await pollBatch(maxMessages: max(1, maxMessages), maxWait: maxWait) {
        case .closed: return nil
        case .messages(let batch): return batch
        }
    }

    /// Commits the given next offsets (offset + 1 of the last processed message), plus the
    /// `pendingCommitFailures` it does not name (a retry of earlier failed commits).
    /// Partitions no longer assigned are skipped (and logged).
    ///
    /// With `waitForBroker` (the default) the call returns once the broker has stored the
    /// offsets. With `waitForBroker: false` it only hands them to librdkafka
    /// (`rd_kafka_commit(async)`) and returns; the broker's answer arrives in the offset-commit
    /// callback while batches are polled, and a failure is logged and kept in
    /// `pendingCommitFailures` so that the next commit (or the periodic retry) retries it. Commits are sent in call order.
    /// - Throws: `.commit` on failure (or in assign-all mode), `.shutdown` once closed.
    /// - Returns: the offsets committed (asynchronously: handed to librdkafka); partitions no
    ///   longer assigned are left out.
    @discardableResult
    public func commit(_ offsets: [KafkaTopicPartition: Int64], waitForBroker: Bool = true) async throws -> [KafkaTopicPartition: Int64] {
        guard case .group = config.mode else {
            throw KafkaError(.commit, "assign-all consumers have no group to commit offsets to")
        }
        if offsets.isEmpty, shared.pendingCommitFailures.isEmpty { return [:] }
        return try await runBlocking(on: queue) { [self] in
            guard !handle.isDestroyed else { throw KafkaError(.shutdown, "consumer is closed") }
            let current = shared.assignment
            let wanted = shared.offsetsWithRetries(offsets)
            var entries: [(KafkaTopicPartition, Int64?)] = []
            var skipped: [KafkaTopicPartition] = []
            for (tp, offset) in wanted.sorted(by: { $0.key < $1.key }) {
                if current.contains(tp) { entries.append((tp, offset)) } else { skipped.append(tp) }
            }
            if !skipped.isEmpty {
                logger.info("not committing partitions that are no longer assigned", metadata: ["partitions": "\(skipped)"])
            }
            if entries.isEmpty { return [:] }
            var committed: [KafkaTopicPartition: Int64] = [:]
            for (tp, offset) in entries { committed[tp] = offset }
            let retried = committed.keys.filter { offsets[$0] == nil }
            if !retried.isEmpty {
                logger.info("retrying failed offset commits", metadata: ["partitions": "\(retried.sorted())"])
            }
            shared.commitsIssued(committed)
            let list = PartitionList.make(entries)
            defer { rd_kafka_topic_partition_list_destroy(list) }
            let err = rd_kafka_commit(handle.pointer, list, waitForBroker ? 0 : 1)
            if err != RD_KAFKA_RESP_ERR_NO_ERROR {
                shared.commitsCompleted(committed, succeeded: false)
                throw KafkaError(.commit, "commit of \(entries.map(\.0)) failed: \(KafkaError.describe(err))", rdKafka: err)
            }
            // rd_kafka_commit copies the list, so per-partition errors are not written back
            // here: the call's own result is the one to check (synchronously). The
            // offset-commit callback reports the same result again later (harmless).
            if waitForBroker { shared.commitsCompleted(committed, succeeded: true) }
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

    /// Pauses (or resumes) fetching of assigned partitions (`rd_kafka_pause_partitions` /
    /// `rd_kafka_resume_partitions`). Polls go on serving the group (rebalances, commits) but
    /// hand out nothing of a paused partition; what was already fetched is discarded, and on
    /// resume fetching continues after the last message handed out.
    /// - Throws: `.consume` when librdkafka refuses, `.shutdown` once closed.
    public func setPaused(_ paused: Bool, _ partitions: Set<KafkaTopicPartition>) async throws {
        guard !partitions.isEmpty else { return }
        try await runBlocking(on: queue) { [self] in
            guard !handle.isDestroyed else { throw KafkaError(.shutdown, "consumer is closed") }
            let list = PartitionList.make(partitions.sorted().map { ($0, nil) })
            defer { rd_kafka_topic_partition_list_destroy(list) }
            let err = paused ? rd_kafka_pause_partitions(handle.pointer, list) : rd_kafka_resume_partitions(handle.pointer, list)
            if err != RD_KAFKA_RESP_ERR_NO_ERROR {
                throw KafkaError(.consume, "\(paused ? "pause" : "resume") of \(partitions.sorted()) failed: \(KafkaError.describe(err))", rdKafka: err)
            }
        }
    }

    /// Leaves the group (`rd_kafka_consumer_close`, which revokes the assignment) and destroys
    /// the handle. Idempotent; in-flight polls end within ~100 ms and their iterators finish.
    public func close() async {
        phase.withLock { if $0 == .open { $0 = .closing } }
        _ = try? await runBlocking(on: queue) { [self] in
            guard !handle.isDestroyed else { return }
            if handle.checkFatal() != nil {
                // After a fatal error the consumer can neither leave its group nor commit:
                // librdkafka refuses the close, and destroying it the usual way could wait
                // for a group shutdown that never completes.
                handle.destroy(skipConsumerClose: true)
            } else {
                let err = rd_kafka_consumer_close(handle.pointer)
                if err != RD_KAFKA_RESP_ERR_NO_ERROR {
                    logger.warning("consumer close: \(KafkaError.describe(err))")
                }
                handle.destroy()
            }
            phase.withLock { $0 = .closed }
            shared.finish()
        }
    }

    /// Whether the consumer can still consume: not after a fatal librdkafka error, nor once
    /// closing. (Group membership is `isJoined`.)
    public var health: KafkaClientHealth {
        if let fatal = handle.context.fatal { return .fatal(fatal.message) }
        return isClosed ? .closed : .healthy
    }

    /// ServiceLifecycle entry point: waits for graceful shutdown (or cancellation), then
    /// `close()`. A fatal librdkafka error ends it at once, also while nobody polls: the
    /// consumer closes and `run()` throws the `KafkaError(.fatal)`, so that the service group
    /// (and the process) ends with an error.
    public func run() async throws {
        let fatal = await cancelWhenGracefulShutdown { [self] in
            await withTaskGroup(of: KafkaError?.self) { group in
                group.addTask { await self.watchForFatal() }
                group.addTask {
                    await self.retryFailedCommits()
                    return nil
                }
                // The retry loop ends only when cancelled: the first result is the watch's.
                let first = await group.next() ?? nil
                group.cancelAll()
                return first
            }
        }
        await close()
        if let fatal { throw fatal }
    }

    /// Group mode: every `commitRetryInterval`, commits again what failed to commit and has
    /// not been superseded (`pendingCommitFailures`), until it succeeds. The next `commit`
    /// retries it too, but a partition that receives nothing more has no next commit: its
    /// offset would stay behind, and the group would get its messages again after a restart.
    /// Runs until cancelled.
    private func retryFailedCommits() async {
        guard case .group = config.mode else { return await waitUntilCancelled() }
        while !Task.isCancelled {
            try? await Task.sleep(for: max(config.commitRetryInterval, .milliseconds(10)))
            if Task.isCancelled { break }
            guard !shared.pendingCommitFailures.isEmpty else { continue }
            do {
                _ = try await commit([:], waitForBroker: false)
            } catch {
                logger.warning("retry of failed offset commits failed; trying again", metadata: ["error": "\(error)"])
            }
        }
    }

    private func waitUntilCancelled() async {
        while !Task.isCancelled { try? await Task.sleep(for: .seconds(3600)) }
    }

    /// Returns the first fatal error (nil once cancelled): woken by the error callback (served
    /// while batches are polled), and asking librdkafka once a second for one raised while
    /// nobody polls.
    private func watchForFatal() async -> KafkaError? {
        let context = handle.context
        return await withTaskGroup(of: KafkaError?.self) { group in
            group.addTask { await context.waitForFatal() }
            group.addTask { [self] in
                while !Task.isCancelled {
                    try? await Task.sleep(for: .seconds(1))
                    if Task.isCancelled { break }
                    if let fatal = try? await runBlocking(on: queue, { [handle] in handle.checkFatal() }) { return fatal }
                }
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
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
        if let fatal = handle.checkFatal() { throw fatal }
        if case .assignAll = config.mode, !shared.isJoined { try assignAllPartitions() }
        let deadline = ContinuousClock.now + maxWait
        var batch: [KafkaMessage] = []
        // Revocations recorded before this poll (e.g. by a close) have no batch to cut.
        _ = shared.takeRevokedDuringPoll()
        while batch.count < maxMessages {
            if cancelled.flag.load(ordering: .relaxed) || phase.withLock({ $0 != .open }) { break }
            let remaining = deadline - ContinuousClock.now
            if remaining <= .zero { break }
            // Wait (in slices, to notice cancellation) only for the first message; after that
            // take what librdkafka has already fetched and end the batch once its queue is empty.
            let timeout = batch.isEmpty ? max(min(remaining, .milliseconds(100)).milliseconds, 1) : 0
            let polled = rd_kafka_consumer_poll(handle.pointer, timeout)
            defer { if let polled { rd_kafka_message_destroy(polled) } }
            // Rebalances end a batch: when the rebalance callback revoked partitions during
            // this poll, the messages of those partitions already in the batch belong to
            // their new owner (who gets them again from the last commit) and are dropped,
            // and the batch ends here, so it never straddles the rebalance.
            let revoked = shared.takeRevokedDuringPoll()
            let cut = !revoked.isEmpty
            if cut, !batch.isEmpty {
                let before = batch.count
                batch = RevocationCut.dropping(revoked, from: batch)
                shared.recordCut(dropped: before - batch.count)
                logger.info("partitions revoked while a batch was polled: batch ended", metadata: [
                    "revoked": "\(revoked.sorted())", "batch.kept": "\(batch.count)", "batch.dropped": "\(before - batch.count)",
                ])
            }
            guard let message = polled else {
                if batch.isEmpty { continue } else { break }
            }
            let err = message.pointee.err
            if err == RD_KAFKA_RESP_ERR_NO_ERROR {
                if cut, !shared.assignment.contains(KafkaConsumer.topicPartition(of: message)) {
                    // Fetched for an assignment that no longer holds (librdkafka normally
                    // discards these itself).
                } else if let delivered = guardedCopy(message) {
                    batch.append(delivered)
                    let delay = delayPerMessageForTesting.load(ordering: .relaxed)
                    if delay > 0 { usleep(UInt32(clamping: delay)) }
                }
                if cut, !batch.isEmpty { break }
            } else if err == RD_KAFKA_RESP_ERR__PARTITION_EOF {
                continue
            } else {
                let text = handle.context.scrub(rd_kafka_message_errstr(message).map { String(cString: $0) } ?? KafkaError.describe(err))
                if err == RD_KAFKA_RESP_ERR__FATAL {
                    throw handle.context.fatal ?? KafkaError(.fatal, text, rdKafka: err)
                }
                logger.warning("consumer error: \(text)", metadata: ["rdkafka.error": "\(String(cString: rd_kafka_err2name(err)))"])
            }
        }
        return .messages(batch)
    }

    /// Runs a fetched message through the offset-gap guard: the copied message if it is to be
    /// handed out, `nil` if it was discarded (duplicate, or past a gap: then the partition has
    /// been sought back to the expected offset).
    private static func topicPartition(of message: UnsafeMutablePointer<rd_kafka_message_t>) -> KafkaTopicPartition {
        let topic = message.pointee.rkt.map { String(cString: rd_kafka_topic_name($0)) } ?? ""
        return KafkaTopicPartition(topic: topic, partition: message.pointee.partition)
    }

    private func guardedCopy(_ message: UnsafeMutablePointer<rd_kafka_message_t>) -> KafkaMessage? {
        let tp = KafkaConsumer.topicPartition(of: message)
        let topic = tp.topic
        let offset = message.pointee.offset
        if shared.needsBaseline(tp) { resolveBaselines() }
        let observation = shared.observe(tp, offset: offset)
        switch observation.verdict {
        case .deliver:
            if observation.wasRefetching, let expected = observation.expected, offset != expected {
                logger.info("offset gap is real (still there after re-fetch): accepted", metadata: [
                    "partition": "\(tp)", "expected": "\(expected)", "offset": "\(offset)",
                    "skipped": "\(offset - expected)",
                ])
            }
            return KafkaConsumer.copy(message, topic: topic)
        case .dropDuplicate:
            logger.debug("dropping message already handed out in this assignment", metadata: [
                "partition": "\(tp)", "offset": "\(offset)", "expected": "\(observation.expected.map(String.init) ?? "-")",
            ])
            return nil
        case .refetch(let from):
            logger.info("offset gap: re-fetching", metadata: [
                "partition": "\(tp)", "expected": "\(from)", "offset": "\(offset)",
            ])
            if seek(tp, to: from) { return nil }
            shared.refetchFailed(tp, offset: offset)
            return KafkaConsumer.copy(message, topic: topic)
        }
    }

    /// Test hook: makes librdkafka raise a fatal error on this consumer
    /// (`rd_kafka_test_fatal_error`, as if its static group membership had been fenced).
    func raiseFatalErrorForTesting(_ reason: String) async throws -> Bool {
        try await runBlocking(on: queue) { [self] in
            guard !handle.isDestroyed else { return false }
            return rd_kafka_test_fatal_error(handle.pointer, RD_KAFKA_RESP_ERR_FENCED_INSTANCE_ID, reason) == RD_KAFKA_RESP_ERR_NO_ERROR
        }
    }

    /// Test hook: moves the fetch position of an assigned partition to `offset` behind the
    /// gap guard's back, the way a fetch that skips records does.
    func skipFetchPosition(_ tp: KafkaTopicPartition, to offset: Int64) async throws {
        try await runBlocking(on: queue) { [self] in
            guard !handle.isDestroyed else { throw KafkaError(.shutdown, "consumer is closed") }
            guard seek(tp, to: offset) else { throw KafkaError(.consume, "seek of \(tp) to \(offset) failed") }
        }
    }

    /// Seeks an assigned partition to `offset` and waits until librdkafka's fetcher has taken
    /// it over, which guarantees that nothing fetched before is handed out afterwards.
    private func seek(_ tp: KafkaTopicPartition, to offset: Int64) -> Bool {
        let list = PartitionList.make([(tp, offset)])
        defer { rd_kafka_topic_partition_list_destroy(list) }
        if let error = rd_kafka_seek_partitions(handle.pointer, list, config.requestTimeout.milliseconds) {
            logger.warning("seek for re-fetch failed, accepting the gap", metadata: [
                "partition": "\(tp)", "offset": "\(offset)", "error": "\(String(cString: rd_kafka_error_string(error)))",
            ])
            rd_kafka_error_destroy(error)
            return false
        }
        if let (_, _, err) = PartitionList.read(list).first, err != RD_KAFKA_RESP_ERR_NO_ERROR {
            logger.warning("seek for re-fetch failed, accepting the gap", metadata: [
                "partition": "\(tp)", "offset": "\(offset)", "error": "\(KafkaError.describe(err))",
            ])
            return false
        }
        return true
    }

    /// Sets the gap guard's expected first offsets for newly assigned partitions: the committed
    /// offset (group mode), else the log start when that is where consumption begins. Best
    /// effort: a partition whose start cannot be learnt is judged from its first message.
    private func resolveBaselines() {
        let pending = shared.takePendingBaselines()
        guard !pending.isEmpty else { return }
        var baselines: [KafkaTopicPartition: Int64] = [:]
        var withoutCommit = pending
        if case .group = config.mode {
            let list = PartitionList.make(pending.map { ($0, nil) })
            defer { rd_kafka_topic_partition_list_destroy(list) }
            let err = rd_kafka_committed(handle.pointer, list, config.requestTimeout.milliseconds)
            guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
                logger.debug("gap guard: committed offsets unavailable: \(KafkaError.describe(err))")
                return
            }
            withoutCommit = []
            for (tp, offset, partitionErr) in PartitionList.read(list) where partitionErr == RD_KAFKA_RESP_ERR_NO_ERROR {
                if offset >= 0 { baselines[tp] = offset } else { withoutCommit.append(tp) }
            }
            shared.committedOffsetsLookedUp(baselines)
        }
        if config.startsAtLogStartWithoutCommit {
            for tp in withoutCommit {
                var low: Int64 = -1
                var high: Int64 = -1
                if rd_kafka_query_watermark_offsets(handle.pointer, tp.topic, tp.partition, &low, &high, config.requestTimeout.milliseconds)
                    == RD_KAFKA_RESP_ERR_NO_ERROR, low >= 0 {
                    baselines[tp] = low
                }
            }
        }
        logger.debug("gap guard: expected first offsets", metadata: [
            "baselines": "\(baselines.sorted { $0.key < $1.key }.map { "\($0.key)@\($0.value)" })",
        ])
        shared.setBaselines(baselines)
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

    /// Copies a message out of librdkafka memory (`topic`: its topic name, if already known).
    static func copy(_ pointer: UnsafeMutablePointer<rd_kafka_message_t>, topic knownTopic: String? = nil) -> KafkaMessage {
        let m = pointer.pointee
        let topic = knownTopic ?? m.rkt.map { String(cString: rd_kafka_topic_name($0)) } ?? ""
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

/// Consumer-side state touched by the rebalance and offset-commit callbacks (on the consumer
/// queue, inside `rd_kafka_consumer_poll` / `rd_kafka_consumer_close`) and read by the Swift
/// API: the assignment, the offset-gap guard and the commit bookkeeping.
final class RebalanceHandler: Sendable {
    private struct State {
        var assignment: Set<KafkaTopicPartition> = []
        var joined = false
        var gapGuard: OffsetGapGuard
        /// Newly assigned (tracked) partitions whose expected first offset is still to be looked up.
        var pendingBaselines: Set<KafkaTopicPartition> = []
        var commits = OffsetCommitTracker()
        /// Partitions revoked since the poll loop last asked (`takeRevokedDuringPoll`).
        var revokedDuringPoll: Set<KafkaTopicPartition> = []
        var revocationCuts = KafkaRevocationStatistics()
    }

    /// What the gap guard said about a message, with the state it was judged against.
    struct Observation {
        var verdict: OffsetGapGuard.Verdict
        /// The offset expected before this message (nil: first message, no baseline).
        var expected: Int64?
        /// Whether a re-fetch was under way for the partition.
        var wasRefetching: Bool
    }

    private let state: Mutex<State>
    private let events: AsyncStream<KafkaRebalanceEvent>.Continuation
    private let gapTolerantTopics: Set<String>
    let logger: Logger

    init(logger: Logger, events: AsyncStream<KafkaRebalanceEvent>.Continuation, gapTolerantTopics: Set<String> = []) {
        self.logger = logger
        self.events = events
        self.gapTolerantTopics = gapTolerantTopics
        state = Mutex(State(gapGuard: OffsetGapGuard(gapTolerantTopics: gapTolerantTopics)))
    }

    var assignment: Set<KafkaTopicPartition> { state.withLock { $0.assignment } }
    var isJoined: Bool { state.withLock { $0.joined } }
    var gapStatistics: KafkaGapStatistics { state.withLock { $0.gapGuard.statistics } }
    var pendingCommitFailures: [KafkaTopicPartition: Int64] { state.withLock { $0.commits.failed } }
    var confirmedCommits: [KafkaTopicPartition: Int64] { state.withLock { $0.commits.confirmed } }
    var revocationStatistics: KafkaRevocationStatistics { state.withLock { $0.revocationCuts } }

    /// The partitions revoked since the last call (the poll loop asks after every poll).
    func takeRevokedDuringPoll() -> Set<KafkaTopicPartition> {
        state.withLock { state in
            guard !state.revokedDuringPoll.isEmpty else { return [] }
            defer { state.revokedDuringPoll = [] }
            return state.revokedDuringPoll
        }
    }

    func recordCut(dropped: Int) {
        state.withLock { state in
            state.revocationCuts.cutBatches += 1
            state.revocationCuts.droppedMessages += dropped
        }
    }

    // MARK: Gap guard (called on the consumer queue)

    func needsBaseline(_ partition: KafkaTopicPartition) -> Bool {
        state.withLock { $0.pendingBaselines.contains(partition) }
    }

    func takePendingBaselines() -> [KafkaTopicPartition] {
        state.withLock { state in
            defer { state.pendingBaselines = [] }
            return state.pendingBaselines.sorted()
        }
    }

    func setBaselines(_ baselines: [KafkaTopicPartition: Int64]) {
        state.withLock { state in
            for (partition, offset) in baselines where state.assignment.contains(partition) {
                state.gapGuard.setBaseline(partition, nextOffset: offset)
            }
        }
    }

    func observe(_ partition: KafkaTopicPartition, offset: Int64) -> Observation {
        state.withLock { state in
            let expected = state.gapGuard.expectedOffset(for: partition)
            let wasRefetching = state.gapGuard.isRefetching(partition)
            let verdict = state.gapGuard.observe(partition, offset: offset)
            return Observation(verdict: verdict, expected: expected, wasRefetching: wasRefetching)
        }
    }

    func refetchFailed(_ partition: KafkaTopicPartition, offset: Int64) {
        state.withLock { $0.gapGuard.refetchFailed(partition, offset: offset) }
    }

    // MARK: Commits

    func offsetsWithRetries(_ offsets: [KafkaTopicPartition: Int64]) -> [KafkaTopicPartition: Int64] {
        state.withLock { $0.commits.withRetries(offsets) }
    }

    func commitsIssued(_ offsets: [KafkaTopicPartition: Int64]) {
        state.withLock { $0.commits.issued(offsets) }
    }

    func committedOffsetsLookedUp(_ offsets: [KafkaTopicPartition: Int64]) {
        guard !offsets.isEmpty else { return }
        state.withLock { $0.commits.lookedUp(offsets) }
    }

    func commitsCompleted(_ offsets: [KafkaTopicPartition: Int64], succeeded: Bool) {
        state.withLock { state in
            for (partition, offset) in offsets { state.commits.completed(partition, offset: offset, succeeded: succeeded) }
        }
    }

    /// The offset-commit callback: results of commits (asynchronous ones and, again,
    /// synchronous ones).
    func commitResult(_ err: rd_kafka_resp_err_t, _ list: UnsafePointer<rd_kafka_topic_partition_list_t>?) {
        // _NO_OFFSET: nothing to commit; not an error.
        guard err != RD_KAFKA_RESP_ERR__NO_OFFSET else { return }
        var failures: [(KafkaTopicPartition, Int64, rd_kafka_resp_err_t)] = []
        state.withLock { state in
            for (partition, offset, partitionErr) in PartitionList.read(list) {
                let failure = err != RD_KAFKA_RESP_ERR_NO_ERROR ? err : partitionErr
                let succeeded = failure == RD_KAFKA_RESP_ERR_NO_ERROR
                state.commits.completed(partition, offset: offset, succeeded: succeeded)
                if !succeeded { failures.append((partition, offset, failure)) }
            }
        }
        if !failures.isEmpty {
            logger.warning("offset commit failed; the next commit retries it", metadata: [
                "partitions": "\(failures.map { "\($0.0)@\($0.1): \(String(cString: rd_kafka_err2name($0.2)))" })",
            ])
        }
    }

    // MARK: Assignment

    func recordAssigned(_ partitions: [KafkaTopicPartition]) {
        state.withLock { state in
            state.assignment.formUnion(partitions)
            state.joined = true
            // A new owner starts afresh: nothing expected until the start is known.
            state.gapGuard.reset(partitions)
            state.pendingBaselines.formUnion(partitions.filter { !gapTolerantTopics.contains($0.topic) })
        }
        logger.info("partitions assigned", metadata: ["partitions": "\(partitions.sorted())"])
        events.yield(.assigned(partitions.sorted()))
    }

    func recordRevoked(_ partitions: [KafkaTopicPartition], all: Bool) {
        state.withLock { state in
            state.revokedDuringPoll.formUnion(partitions)
            if all {
                // EAGER revoke (or error/close): out of the generation until the next assign.
                state.assignment = []
                state.joined = false
                state.gapGuard.resetAll()
                state.pendingBaselines = []
                state.commits.forgetAll()
            } else {
                state.assignment.subtract(partitions)
                state.gapGuard.reset(partitions)
                state.pendingBaselines.subtract(partitions)
                state.commits.forget(partitions)
            }
        }
        logger.info("partitions revoked", metadata: ["partitions": "\(partitions.sorted())"])
        events.yield(.revoked(partitions.sorted()))
    }

    func finish() {
        state.withLock { state in
            state.assignment = []
            state.joined = false
            state.gapGuard.resetAll()
            state.pendingBaselines = []
            state.commits.forgetAll()
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

private let offsetCommitCallback: @convention(c) (OpaquePointer?, rd_kafka_resp_err_t, UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?, UnsafeMutableRawPointer?) -> Void = {
    rk, err, list, _ in
    guard let handler = ClientContext.from(rk)?.rebalancer else { return }
    handler.commitResult(err, list)
}
