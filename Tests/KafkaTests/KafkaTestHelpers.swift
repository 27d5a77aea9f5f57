import Foundation
import Kafka
import TestSupport
import Testing

/// Reads batches until at least `count` messages arrived (or times out).
func collect(_ consumer: KafkaConsumer, count: Int, timeout: Duration = .seconds(40)) async throws -> [KafkaMessage] {
    try await withTimeout(timeout, "waiting for \(count) messages") {
        var messages: [KafkaMessage] = []
        for try await batch in consumer.batches(maxMessages: 50, maxWait: .milliseconds(50)) {
            #expect(!batch.isEmpty)
            messages += batch
            if messages.count >= count { break }
        }
        return messages
    }
}

func createTopic(_ broker: LocalBroker, _ name: String, partitions: Int, config: [String: String] = [:]) async throws {
    let admin = try KafkaAdmin(client: broker.clientConfig())
    let result = try await admin.createTopics([KafkaTopicSpec(name: name, partitions: partitions, config: config)], timeout: .seconds(10))
    #expect(result[name] == .created)
    await admin.close()
}

func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }
