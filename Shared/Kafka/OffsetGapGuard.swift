/// Counters of the consumer's offset-gap guard (see `OffsetGapGuard`), cumulative over the
/// consumer's lifetime. The Kafka module has no metrics dependency: the runtime exports these.
public struct KafkaGapStatistics: Sendable, Hashable {
    /// Gaps noticed: a partition was sought back to the expected offset and re-fetched.
    public var refetches: Int
    /// Re-fetches whose first message was still past the expected offset: the gap is real
    /// (transaction markers, compaction, retention, records the broker does not hand out)
    /// and was accepted.
    public var acceptedGaps: Int
    /// Messages dropped because their offset was below the next expected one (already handed
    /// out in the current assignment).
    public var droppedDuplicates: Int

    /// Creates statistics.
    public init(refetches: Int = 0, acceptedGaps: Int = 0, droppedDuplicates: Int = 0) {
        self.refetches = refetches
        self.acceptedGaps = acceptedGaps
        self.droppedDuplicates = droppedDuplicates
    }
}

/// Per-partition bookkeeping of the next expected offset, so that a consumer notices when a
/// fetch skipped records (seen with the local broker Tansu while several producers append)
/// and re-fetches them. Pure value type, no I/O: `KafkaConsumer` feeds it every message in
/// arrival order and acts on the verdict.
///
/// Per partition:
/// - After `reset` (assignment or revocation) nothing is expected. A `baseline` (the committed
///   position, or the log start for a group without commits) may be set before the first
///   message; otherwise the first message sets the expectation. A first message *below* the
///   baseline is delivered (the client chose that start; nothing is ever dropped before the
///   first delivery of an assignment); one *above* it is treated as a gap.
/// - offset == expected: `.deliver`, expected += 1.
/// - offset < expected: `.dropDuplicate` (already handed out in this assignment).
/// - offset > expected: `.refetch(from: expected)`; the caller seeks the partition back to
///   `expected` and discards this message. The next message of the partition decides: the
///   expected one (`.deliver`, gap closed), or one still past it: the gap is real, accepted
///   (`.deliver`, counted in `acceptedGaps`).
///
/// Topics in `gapTolerantTopics` (compacted topics, where gaps are normal) are not tracked:
/// every message is delivered.
public struct OffsetGapGuard: Sendable {
    /// What to do with an observed message.
    public enum Verdict: Sendable, Hashable {
        /// Hand the message out.
        case deliver
        /// Discard the message, seek the partition back to `from` and fetch again.
        case refetch(from: Int64)
        /// Discard the message: its offset was already handed out.
        case dropDuplicate
    }

    private enum State: Sendable, Hashable {
        /// Nothing delivered since the last reset; `baseline` is the expected first offset, if known.
        case awaitingFirst(baseline: Int64?)
        /// Next offset expected.
        case tracking(expected: Int64)
        /// A gap was seen while `expected` was due; a re-fetch from `expected` is under way.
        case refetching(expected: Int64)
    }

    /// Topics where gaps are legitimate (not tracked).
    public let gapTolerantTopics: Set<String>
    /// Cumulative counters (not reset by `reset`/`resetAll`).
    public private(set) var statistics = KafkaGapStatistics()
    private var states: [KafkaTopicPartition: State] = [:]

    /// Creates a guard; `gapTolerantTopics` are never tracked.
    public init(gapTolerantTopics: Set<String> = []) {
        self.gapTolerantTopics = gapTolerantTopics
    }

    /// Judges a message at `offset` of `partition` and updates the bookkeeping.
    public mutating func observe(_ partition: KafkaTopicPartition, offset: Int64) -> Verdict {
        if gapTolerantTopics.contains(partition.topic) { return .deliver }
        switch states[partition] ?? .awaitingFirst(baseline: nil) {
        case .awaitingFirst(let baseline):
            if let baseline, offset > baseline {
                return startRefetch(partition, expected: baseline)
            }
            states[partition] = .tracking(expected: offset + 1)
            return .deliver
        case .tracking(let expected):
            if offset == expected {
                states[partition] = .tracking(expected: offset + 1)
                return .deliver
            }
            if offset < expected {
                statistics.droppedDuplicates += 1
                return .dropDuplicate
            }
            return startRefetch(partition, expected: expected)
        case .refetching(let expected):
            if offset < expected {
                statistics.droppedDuplicates += 1
                return .dropDuplicate
            }
            // librdkafka drops messages fetched before a seek (the seek bumps the partition's
            // version barrier, and rd_kafka_consumer_poll discards older-version messages), so
            // this is the first message of the re-fetch: the expected one, or proof that the
            // gap is real.
            if offset > expected { statistics.acceptedGaps += 1 }
            states[partition] = .tracking(expected: offset + 1)
            return .deliver
        }
    }

    /// The re-fetch for `partition` could not be started (the seek failed): accept the gap
    /// at `offset` (the message that revealed it is delivered after all). No-op unless a
    /// re-fetch is under way.
    public mutating func refetchFailed(_ partition: KafkaTopicPartition, offset: Int64) {
        guard case .refetching = states[partition] else { return }
        statistics.acceptedGaps += 1
        states[partition] = .tracking(expected: offset + 1)
    }

    /// Sets the offset expected first (committed position / log start) for a partition that
    /// has not delivered anything since its last reset; ignored otherwise.
    public mutating func setBaseline(_ partition: KafkaTopicPartition, nextOffset: Int64) {
        guard nextOffset >= 0, !gapTolerantTopics.contains(partition.topic),
              case .awaitingFirst = states[partition] ?? .awaitingFirst(baseline: nil) else { return }
        states[partition] = .awaitingFirst(baseline: nextOffset)
    }

    /// Forgets the partitions (call on assignment and revocation): the next message of each
    /// starts a new expectation, so a re-delivery to a new owner is never dropped.
    public mutating func reset(_ partitions: some Sequence<KafkaTopicPartition>) {
        for partition in partitions { states[partition] = nil }
    }

    /// Forgets every partition.
    public mutating func resetAll() {
        states = [:]
    }

    /// The next offset expected for `partition`, if known (the baseline before the first message).
    public func expectedOffset(for partition: KafkaTopicPartition) -> Int64? {
        switch states[partition] {
        case .none: return nil
        case .awaitingFirst(let baseline): return baseline
        case .tracking(let expected): return expected
        case .refetching(let expected): return expected
        }
    }

    /// Whether a re-fetch of `partition` is under way.
    public func isRefetching(_ partition: KafkaTopicPartition) -> Bool {
        if case .refetching = states[partition] { return true }
        return false
    }

    private mutating func startRefetch(_ partition: KafkaTopicPartition, expected: Int64) -> Verdict {
        statistics.refetches += 1
        states[partition] = .refetching(expected: expected)
        return .refetch(from: expected)
    }
}
