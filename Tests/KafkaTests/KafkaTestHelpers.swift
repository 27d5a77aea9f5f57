import Foundation
import Kafka
import TestSupport
import Testing

struct TimedOut: Error, CustomStringConvertible {
    let description: String
}

/// Runs `body`, cancelling it and throwing `TimedOut` after `timeout`.
func withTimeout<T: Sendable>(
    _ timeout: Duration, _ what: String, _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: timeout)
            return nil
        }
        let first = try await group.next()!
        group.cancelAll()
        guard let value = first else { throw TimedOut(description: "timed out after \(timeout): \(what)") }
        return value
    }
}

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
