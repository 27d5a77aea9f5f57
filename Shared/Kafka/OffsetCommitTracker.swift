/// Bookkeeping of offset commits for retrying failed ones (pure value type; `KafkaConsumer`
/// keeps one behind a lock and feeds it from `commit` and librdkafka's offset-commit callback).
///
/// A partition is "failed" while the *last* commit issued for it failed: a failure of an older
/// commit that a newer one for the same partition has superseded is ignored, so a retry can
/// never move a committed offset backwards. The next commit includes the failed partitions it
/// does not name itself (`withRetries`); issuing a commit for a partition clears its failure,
/// and so does a successful result.
///
/// It also knows what the broker has confirmed (`confirmed`): per partition, the offset of the
/// newest commit that succeeded, or the committed offset looked up at assignment. That is
/// what is safe to forget below (the inbox is pruned by it); it survives revocation (the
/// offset stays stored) and follows a commit that moves back (a re-created topic).
struct OffsetCommitTracker: Sendable {
    /// Next offsets of the last commit issued per partition.
    private var lastIssued: [KafkaTopicPartition: Int64] = [:]
    /// Partitions whose last issued commit failed, with that commit's offset.
    private(set) var failed: [KafkaTopicPartition: Int64] = [:]
    /// Next offsets the broker confirmed as committed, per partition.
    private(set) var confirmed: [KafkaTopicPartition: Int64] = [:]

    /// `requested` plus the failed partitions it does not name (offsets in `requested` win).
    func withRetries(_ requested: [KafkaTopicPartition: Int64]) -> [KafkaTopicPartition: Int64] {
        requested.merging(failed) { new, _ in new }
    }

    /// Records commits handed to librdkafka.
    mutating func issued(_ offsets: [KafkaTopicPartition: Int64]) {
        for (partition, offset) in offsets {
            lastIssued[partition] = offset
            failed[partition] = nil
        }
    }

    /// Records the outcome of a commit of `offset` for `partition`.
    mutating func completed(_ partition: KafkaTopicPartition, offset: Int64, succeeded: Bool) {
        if succeeded {
            if let pending = failed[partition], pending <= offset { failed[partition] = nil }
            // Late results of older commits never move it back; the newest issued commit may.
            if offset >= confirmed[partition] ?? .min || offset == lastIssued[partition] { confirmed[partition] = offset }
        } else if lastIssued[partition] == offset {
            failed[partition] = offset
        }
    }

    /// Records committed offsets looked up from the broker (at assignment).
    mutating func lookedUp(_ offsets: [KafkaTopicPartition: Int64]) {
        confirmed.merge(offsets) { _, broker in broker }
    }

    /// Forgets partitions that are no longer assigned (their commits are someone else's now).
    mutating func forget(_ partitions: some Sequence<KafkaTopicPartition>) {
        for partition in partitions {
            lastIssued[partition] = nil
            failed[partition] = nil
        }
    }

    /// Forgets everything.
    mutating func forgetAll() {
        lastIssued = [:]
        failed = [:]
    }
}
