/// Counters of batches ended by a rebalance (`KafkaConsumer.revocationStatistics`).
public struct KafkaRevocationStatistics: Sendable, Hashable {
    /// Batches that ended early because partitions were revoked while they were polled.
    public var cutBatches = 0
    /// Messages of revoked partitions taken out of those batches (their new owner gets them).
    public var droppedMessages = 0

    public init(cutBatches: Int = 0, droppedMessages: Int = 0) {
        self.cutBatches = cutBatches
        self.droppedMessages = droppedMessages
    }
}

/// What a batch keeps when the group revokes partitions while it is being polled: the
/// messages of partitions still owned, in their order. The revoked partitions' messages are
/// re-delivered, from the last committed offset, to whoever owns them next (maybe this
/// consumer again, in the next generation).
enum RevocationCut {
    static func dropping(_ revoked: Set<KafkaTopicPartition>, from batch: [KafkaMessage]) -> [KafkaMessage] {
        guard !revoked.isEmpty else { return batch }
        return batch.filter { !revoked.contains($0.topicPartition) }
    }
}
