import Foundation
@testable import Kafka
import TestSupport
import Testing

@Suite("Offset-gap guard against a local broker", .timeLimit(.minutes(2)))
struct GapGuardIntegrationTests {
    /// A fetch that skips records (simulated by moving librdkafka's fetch position ahead while
    /// it has already pre-fetched the rest of the partition): the group consumer seeks back,
    /// re-fetches and hands out every offset exactly once, in order.
    @Test func skippedRecordsAreRefetched() async throws {
        let broker = try await LocalBroker.shared()
        let topic = broker.uniqueTopic("gap-refetch")
        try await createTopic(broker, topic, partitions: 1)
        let producer = try KafkaProducer(client: broker.clientConfig())
        _ = try await producer.send((0..<200).map { KafkaOutgoingMessage(topic: topic, key: "k", value: bytes("m\($0)")) })
        await producer.shutdown()

        let tp = KafkaTopicPartition(topic: topic, partition: 0)
        let consumer = try KafkaConsumer(client: broker.clientConfig(), mode: .group(id: broker.uniqueTopic("gap-refetch-group")), topics: [topic])
        var received = try await withTimeout(.seconds(30), "first 10 messages") {
            var first: [KafkaMessage] = []
            while first.count < 10, let batch = try await consumer.poll(maxMessages: 10 - first.count, maxWait: .milliseconds(100)) {
                first += batch
            }
            return first
        }
        #expect(received.map(\.offset) == Array(0..<10))
        try await consumer.skipFetchPosition(tp, to: 120)
        received += try await collect(consumer, count: 190)
        #expect(received.map(\.offset) == Array(0..<200))
        #expect(received.map(\.valueString) == (0..<200).map { "m\($0)" })
        #expect(consumer.gapStatistics == KafkaGapStatistics(refetches: 1, acceptedGaps: 0, droppedDuplicates: 0))
        await consumer.close()
    }

    /// On a topic listed in `gapTolerantTopics` the guard stays out of the way: the skipped
    /// range is not re-fetched.
    @Test func gapTolerantTopicIsNotRefetched() async throws {
        let broker = try await LocalBroker.shared()
        let topic = broker.uniqueTopic("gap-tolerant")
        try await createTopic(broker, topic, partitions: 1, config: ["cleanup.policy": "compact"])
        let producer = try KafkaProducer(client: broker.clientConfig())
        _ = try await producer.send((0..<50).map { KafkaOutgoingMessage(topic: topic, key: "sku-\($0)", value: bytes("v\($0)")) })
        await producer.shutdown()

        let tp = KafkaTopicPartition(topic: topic, partition: 0)
        let consumer = try KafkaConsumer(config: KafkaConsumerConfig(
            client: broker.clientConfig(), mode: .assignAll, topics: [topic], gapTolerantTopics: [topic]))
        var received = try await withTimeout(.seconds(30), "first 5 messages") {
            var first: [KafkaMessage] = []
            while first.count < 5, let batch = try await consumer.poll(maxMessages: 5 - first.count, maxWait: .milliseconds(100)) {
                first += batch
            }
            return first
        }
        #expect(received.map(\.offset) == Array(0..<5))
        try await consumer.skipFetchPosition(tp, to: 40)
        received += try await collect(consumer, count: 10)
        #expect(received.map(\.offset) == Array(0..<5) + Array(40..<50))
        #expect(consumer.gapStatistics == KafkaGapStatistics())
        await consumer.close()
    }
}
