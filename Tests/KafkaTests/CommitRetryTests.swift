import Foundation
@testable import Kafka
import Logging
import TestSupport
import Testing

@Suite("Failed offset commits are retried until they succeed", .timeLimit(.minutes(2)))
struct CommitRetryTests {
    /// A partition that receives nothing more has no next commit to carry a failed one: the
    /// consumer retries it by itself. What the broker confirmed is known, and a consumer that
    /// joins the group later learns it from the broker.
    @Test func anIdlePartitionsFailedCommitIsRetriedAndConfirmed() async throws {
        let broker = try await LocalBroker.shared()
        let topic = broker.uniqueTopic("commit-retry")
        try await createTopic(broker, topic, partitions: 1)
        let producer = try KafkaProducer(client: broker.clientConfig())
        _ = try await producer.send((0..<6).map { KafkaOutgoingMessage(topic: topic, key: "k", value: bytes("m\($0)")) })
        await producer.shutdown()

        let group = broker.uniqueTopic("commit-retry-group")
        let tp = KafkaTopicPartition(topic: topic, partition: 0)
        let config = KafkaConsumerConfig(client: broker.clientConfig(), mode: .group(id: group), topics: [topic],
                                         commitRetryInterval: .milliseconds(200))
        let first = try KafkaConsumer(config: config)
        let running = Task { try await first.run() }
        #expect(try await collect(first, count: 6).count == 6)
        #expect(first.committedOffsets.isEmpty, "nothing committed yet")
        #expect(try await first.commit([tp: 2], waitForBroker: false) == [tp: 2])
        try await pollUntil(first, "the commit of 2 confirmed") { first.committedOffsets == [tp: 2] }

        // The broker refuses the commit of the last batch (a coordinator change, say); no
        // other batch follows on this partition.
        first.shared.commitsIssued([tp: 6])
        first.shared.commitsCompleted([tp: 6], succeeded: false)
        #expect(first.pendingCommitFailures == [tp: 6])
        try await pollUntil(first, "the failed commit retried and confirmed") {
            first.pendingCommitFailures.isEmpty && first.committedOffsets == [tp: 6]
        }
        running.cancel()
        _ = await running.result

        // A new member of the group resumes after the retried commit, and knows it is stored
        // (looked up when its first message arrives) before committing anything itself.
        let again = try KafkaProducer(client: broker.clientConfig())
        _ = try await again.send(KafkaOutgoingMessage(topic: topic, key: "k", value: bytes("m6")))
        await again.shutdown()
        let second = try KafkaConsumer(config: config)
        #expect(try await collect(second, count: 1).map(\.offset) == [6])
        #expect(second.committedOffsets == [tp: 6])
        await second.close()
    }

    /// Polls `consumer` (which serves librdkafka's callbacks) until `condition` holds.
    func pollUntil(_ consumer: KafkaConsumer, _ what: String, _ condition: @escaping @Sendable () -> Bool) async throws {
        _ = try await withTimeout(.seconds(30), what) {
            while !condition() {
                try Task.checkCancellation()
                _ = try await consumer.poll(maxMessages: 10, maxWait: .milliseconds(50))
            }
            return true
        }
    }
}
