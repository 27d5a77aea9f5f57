import Foundation
import Kafka
import Logging
@testable import ServiceKit
import Testing
import TestSupport

/// The publisher sends committed rows in commit order, whatever order their transactions
/// hand them over in, and never loses one (the inbox loop and the timer commit and hand
/// over concurrently).
@Suite struct OutboxPublisherTests {
    @Test func rowsHandedOverOutOfCommitOrderArePublishedInCommitOrderAndNoneIsLost() async throws {
        let broker = try await LocalBroker.start()
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        let topic = LocalBroker.uniqueName("outbox")
        let admin = try KafkaAdmin(client: broker.clientConfig(), logger: logger)
        _ = try await admin.createTopics([KafkaTopicSpec(name: topic, partitions: 1)])
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("op-\(UUID().uuidString).sqlite")
        let database = try SQLiteServiceDatabase(path: url.path)
        let producer = try KafkaProducer(client: broker.clientConfig(), logger: logger)
        let publisher = OutboxPublisher(database: database, producer: producer, service: "test", logger: logger)
        try await publisher.publishLeftovers()

        // Three transactions commit in the order A, B, C (tickets 0, 1, 2) …
        func commit(_ values: [String]) async throws -> ([OutboxMessage], UInt64) {
            let tickets = publisher.tickets
            return try await database.write { tx in
                let rows = try values.map { try tx.enqueue(topic: topic, key: Array("k".utf8), value: Array($0.utf8), headers: [:]) }
                return (rows, tickets.take())
            }
        }
        let a = try await commit(["a1", "a2"])
        let b = try await commit(["b1"])
        let c = try await commit(["c1", "c2", "c3"])
        // … a fourth takes a ticket and fails before commit.
        let failed = publisher.tickets.take()
        // … and hand their rows over in another order.
        try await publisher.publish(c.0, ticket: c.1)
        try await publisher.publish(b.0, ticket: b.1)
        await publisher.skip(failed)
        try await publisher.publish(a.0, ticket: a.1)
        let later = try await commit(["d1"])
        try await publisher.publish(later.0, ticket: later.1)

        let reader = try KafkaConsumer(config: KafkaConsumerConfig(client: broker.clientConfig(), mode: .assignAll, topics: [topic]), logger: logger)
        var seen: [String] = []
        let deadline = ContinuousClock.now + .seconds(20)
        while seen.count < 7, ContinuousClock.now < deadline, let batch = try await reader.poll(maxMessages: 100, maxWait: .milliseconds(100)) {
            seen += batch.compactMap(\.valueString)
        }
        #expect(seen == ["a1", "a2", "b1", "c1", "c2", "c3", "d1"])
        #expect(await publisher.backlog == 0)
        #expect(Set(publisher.publishedRows.peek()) == Set((a.0 + b.0 + c.0 + later.0).map(\.sequence)))

        await reader.close()
        await producer.shutdown()
        await admin.close()
        await broker.stop()
        try? FileManager.default.removeItem(at: url)
    }
}
