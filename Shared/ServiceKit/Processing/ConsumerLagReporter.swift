import Kafka
import Metrics
import ServiceLifecycle
import Synchronization

/// How far the inbox loop has got: per partition, the next offset it will commit.
public final class ConsumerProgress: Sendable {
    private let next = Mutex<[KafkaTopicPartition: Int64]>([:])

    public init() {}

    /// Records offsets just committed.
    public func committed(_ offsets: [KafkaTopicPartition: Int64]) {
        next.withLock { $0.merge(offsets) { max($0, $1) } }
    }

    public var offsets: [KafkaTopicPartition: Int64] { next.withLock { $0 } }
}

/// Publishes `orderflow_consumer_lag{service,topic,partition}`: messages on the inbox not
/// yet processed, every few seconds, from the high watermarks librdkafka already has; and
/// the consumer's offset-gap guard: `orderflow_consumer_refetches_total` (a fetch skipped
/// records and was repeated), `orderflow_consumer_accepted_gaps_total` (a gap that was real:
/// transaction markers, compaction, retention).
public final class ConsumerLagReporter: Service {
    private let consumer: KafkaConsumer
    private let progress: ConsumerProgress
    private let service: String
    private let interval: Duration

    public init(consumer: KafkaConsumer, progress: ConsumerProgress, service: String, interval: Duration = .seconds(5)) {
        self.consumer = consumer
        self.progress = progress
        self.service = service
        self.interval = interval
    }

    public func run() async throws {
        let refetches = Counter(label: "orderflow_consumer_refetches_total", dimensions: [("service", service)])
        let acceptedGaps = Counter(label: "orderflow_consumer_accepted_gaps_total", dimensions: [("service", service)])
        var reported = KafkaGapStatistics()
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            let gaps = consumer.gapStatistics
            if gaps.refetches > reported.refetches { refetches.increment(by: gaps.refetches - reported.refetches) }
            if gaps.acceptedGaps > reported.acceptedGaps { acceptedGaps.increment(by: gaps.acceptedGaps - reported.acceptedGaps) }
            reported = gaps
            if let highs = try? await consumer.cachedHighWatermarks() {
                let done = progress.offsets
                for (partition, high) in highs {
                    // Before the first commit of a partition its lag is unknown: not reported.
                    guard let next = done[partition] else { continue }
                    Gauge(label: "orderflow_consumer_lag", dimensions: [
                        ("service", service), ("topic", partition.topic), ("partition", String(partition.partition)),
                    ]).record(max(0, high - next))
                }
            }
            try? await cancelWhenGracefulShutdown { [interval] in try await Task.sleep(for: interval) }
        }
    }
}
