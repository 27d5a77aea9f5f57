import Foundation
import Kafka
import Logging
@testable import ServiceKit
import Testing
import TestSupport

/// A row the broker refuses for good is parked, not retried forever: the rest of the outbox
/// goes on, later rows of the parked row's key wait behind it, and an operator re-drives
/// them once, in order. Through the real local broker; the permanent error is librdkafka's
/// MSG_SIZE_TOO_LARGE for a message over the producer's `message.max.bytes`.
@Suite struct OutboxParkingTests {
    static let limit = 20_000
    static var logger: Logger {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return logger
    }

    /// Reads until `count` messages came (or 30 s passed).
    static func read(_ reader: KafkaConsumer, count: Int) async throws -> [KafkaMessage] {
        var seen: [KafkaMessage] = []
        let deadline = ContinuousClock.now + .seconds(30)
        while seen.count < count, ContinuousClock.now < deadline {
            seen += try await reader.poll(maxMessages: 100, maxWait: .milliseconds(100)) ?? []
        }
        return seen
    }

    @Test func aRowRefusedForGoodIsParkedTheOthersGoOnAndAReDriveSendsItOnceInOrder() async throws {
        let broker = try await LocalBroker.start()
        let topic = LocalBroker.uniqueName("parking")
        let deadLetters = LocalBroker.uniqueName("parking-dl")
        let admin = try KafkaAdmin(client: broker.clientConfig(), logger: Self.logger)
        _ = try await admin.createTopics([KafkaTopicSpec(name: topic, partitions: 1), KafkaTopicSpec(name: deadLetters, partitions: 1)])
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("park-\(UUID().uuidString).sqlite")
        let database = try SQLiteServiceDatabase(path: url.path)
        let small = try KafkaProducer(client: broker.clientConfig(options: ["message.max.bytes": "\(Self.limit)"]), logger: Self.logger)
        let publisher = OutboxPublisher(database: database, producer: small, service: "test", logger: Self.logger,
                                        deadLetterTopic: deadLetters)
        try await publisher.publishLeftovers()

        let big = String(repeating: "x", count: 2 * Self.limit)
        func commit(_ publisher: OutboxPublisher, _ rows: [(topic: String, key: String, value: String)]) async throws -> [OutboxMessage] {
            let tickets = publisher.tickets
            let (stored, ticket) = try await database.write { tx in
                let stored = try rows.map { row in
                    try tx.enqueue(topic: row.topic, key: Array(row.key.utf8), value: Array(row.value.utf8),
                                   headers: row.topic == deadLetters
                                       ? ["reason": "not_json", "source.topic": "orders.billing", "source.partition": "2", "source.offset": "41"]
                                       : CloudEventsKafka.structuredHeaders)
                }
                return (stored, tickets.take())
            }
            try await withTimeout(.seconds(30), "publishing \(rows.count) rows") { try await publisher.publish(stored, ticket: ticket) }
            return stored
        }

        // Order B's second event is far too large; order A's and C's are fine.
        let first = try await commit(publisher, [
            (topic, "A", "a1"), (topic, "B", "b1"), (topic, "B", big), (topic, "A", "a2"), (topic, "B", "b3"), (topic, "C", "c1"),
            (deadLetters, "K", big),
        ])
        // A later batch: B stays held, A goes on.
        let second = try await commit(publisher, [(topic, "B", "b4"), (topic, "A", "a3")])

        let reader = try KafkaConsumer(config: KafkaConsumerConfig(client: broker.clientConfig(), mode: .assignAll, topics: [topic, deadLetters]),
                                       logger: Self.logger)
        let seen = try await Self.read(reader, count: 6)
        #expect(seen.filter { $0.topic == topic }.compactMap(\.valueString) == ["a1", "b1", "a2", "c1", "a3"])
        // The dead letter went without its body, saying so; where the original sits is in its headers.
        let deadLetter = try #require(seen.first { $0.topic == deadLetters })
        #expect(deadLetter.value == nil)
        let headers = Dictionary(uniqueKeysWithValues: deadLetter.headers.map { ($0.key, $0.value.map { String(decoding: $0, as: UTF8.self) }) })
        #expect(headers["body.omitted"] == "too_large")
        #expect(headers["body.bytes"] == "\(big.utf8.count)")
        #expect(headers["source.topic"] == "orders.billing")
        #expect(headers["source.offset"] == "41")

        // Parked: the refused row and the rows of its key behind it; nothing left to publish.
        let parked = try await database.parkedRows(limit: 100)
        #expect(parked.map(\.message.sequence) == [first[2].sequence, first[4].sequence, second[0].sequence])
        #expect(parked[0].reason == "MSG_SIZE_TOO_LARGE")
        #expect(parked[0].heldBehind == nil)
        #expect(parked.dropFirst().allSatisfy { $0.reason == ParkedRow.heldReason && $0.heldBehind == first[2].sequence })
        #expect(publisher.parkedCount.value == 3)
        #expect(await publisher.backlog == 0)
        let outbox = Set(try await database.pendingOutbox(limit: 100).map(\.sequence))
        #expect(outbox.isDisjoint(with: parked.map(\.message.sequence)))
        await small.shutdown()

        // The operator raises the limit and restarts: the parked rows are still parked …
        try await database.markPublished(upTo: publisher.publishedRows.take())
        let producer = try KafkaProducer(client: broker.clientConfig(), logger: Self.logger)
        let restarted = OutboxPublisher(database: database, producer: producer, service: "test", logger: Self.logger,
                                        deadLetterTopic: deadLetters)
        try await restarted.publishLeftovers()
        #expect(restarted.parkedCount.value == 3)
        // … and re-driving one of them sends its whole key, in order, once.
        let result = try await withTimeout(.seconds(30), "re-driving") { try await restarted.redrive(sequence: second[0].sequence) }
        #expect(result.redriven == parked.map(\.message.sequence))
        #expect(result.parkedAgain.isEmpty)
        #expect(restarted.parkedCount.value == 0)
        let again = try await restarted.redrive(sequence: nil)
        #expect(again.redriven.isEmpty)
        let redriven = try await Self.read(reader, count: 3)
        #expect(redriven.compactMap(\.valueString) == [big, "b3", "b4"])
        #expect(try await database.parkedRows(limit: 100).isEmpty)

        await reader.close()
        await producer.shutdown()
        await admin.close()
        await broker.stop()
        try? FileManager.default.removeItem(at: url)
    }

    @Test func aRowReDrivenWhileStillRefusedIsParkedAgainAndCanBeDiscarded() async throws {
        let broker = try await LocalBroker.start()
        let topic = LocalBroker.uniqueName("parking")
        let admin = try KafkaAdmin(client: broker.clientConfig(), logger: Self.logger)
        _ = try await admin.createTopics([KafkaTopicSpec(name: topic, partitions: 1)])
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("park-\(UUID().uuidString).sqlite")
        let database = try SQLiteServiceDatabase(path: url.path)
        let producer = try KafkaProducer(client: broker.clientConfig(options: ["message.max.bytes": "\(Self.limit)"]), logger: Self.logger)
        let publisher = OutboxPublisher(database: database, producer: producer, service: "test", logger: Self.logger)
        try await publisher.publishLeftovers()
        let tickets = publisher.tickets
        let (rows, ticket) = try await database.write { tx in
            ([try tx.enqueue(topic: topic, key: Array("Z".utf8), value: Array(repeating: 120, count: 2 * Self.limit), headers: [:])], tickets.take())
        }
        try await withTimeout(.seconds(30), "publishing") { try await publisher.publish(rows, ticket: ticket) }
        #expect(publisher.parkedCount.value == 1)

        let result = try await withTimeout(.seconds(30), "re-driving") { try await publisher.redrive(sequence: nil) }
        #expect(result.parkedAgain == [rows[0].sequence])
        #expect(publisher.parkedCount.value == 1)
        #expect(try await publisher.discard(sequence: rows[0].sequence))
        #expect(try await !publisher.discard(sequence: rows[0].sequence))
        #expect(publisher.parkedCount.value == 0)

        await producer.shutdown()
        await admin.close()
        await broker.stop()
        try? FileManager.default.removeItem(at: url)
    }
}
