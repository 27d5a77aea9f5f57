import DepartmentKit
import Foundation
import GRDB
import Kafka
import Logging
import OrderModel
@testable import ServiceKit
import Testing
import TestSupport

/// Test rules for submissions: remembers the inbox id and `externalOrderId` of every
/// submission it acts on, and reports each on the status topic.
private struct SubmissionLog: DepartmentRules {
    struct Handled: StateRecord { static let kind = "test.handled"; var entries: [String] }
    let department = "intake-test"
    let handledEventTypes: Set<String> = [OrderSubmitted.eventType]

    func handle(_ event: InboundEvent, state: any StateStore, context: HandlerContext) throws -> HandlerOutcome {
        let external = (event.payload as! OrderSubmitted).submission.externalOrderId ?? "?"
        var handled = try state.get(Handled.self, "all")?.entries ?? []
        handled.append("\(external)@\(event.id)")
        try state.put(Handled(entries: handled), "all")
        var outcome = HandlerOutcome()
        outcome.emit(StockInTransit(sku: SKU(external), quantity: 1, reference: event.id), to: .status, key: external)
        return outcome
    }
}

/// A service that keeps its database while its input starts again at offset 0 (the topic
/// deleted and created again, or the local broker restarted) must process the new input:
/// inbox ids of submissions and dead letters carry a digest of the bytes, not only the position.
@Suite(.timeLimit(.minutes(3)))
struct ReusedOffsetTests {
    let topics = TopicNames(prefix: LocalBroker.uniqueName("reuse") + ".")
    let logger: Logger = {
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        return logger
    }()

    func submission(_ external: String) -> KafkaOutgoingMessage {
        let json = """
            {"schemaVersion":1,"channel":"web","externalOrderId":"\(external)","customerId":"C-1","currency":"CNY",\
            "lines":[{"sku":"S-1","quantity":1,"unitPrice":"1.00"}],"shipTo":{"name":"n"}}
            """
        return KafkaOutgoingMessage(topic: topics.name(.submitted), key: Array("web:\(external)".utf8), value: Array(json.utf8))
    }

    func unreadable(_ text: String) -> KafkaOutgoingMessage {
        KafkaOutgoingMessage(topic: topics.name(.submitted), key: Array("bad".utf8), value: Array(text.utf8))
    }

    /// Runs an inbox processor for `group` on `broker` over `database` until `done` holds for
    /// the messages that appeared on the status and dead-letter topics and the handled list.
    /// With `committed`, also until the consumer knows that offset committed (returned).
    func process(on broker: LocalBroker, group: String, database: SQLiteServiceDatabase, committed: Int64? = nil,
                 until done: @escaping ([KafkaMessage], [String]) -> Bool) async throws -> [KafkaMessage] {
        try await processAndCommit(on: broker, group: group, database: database, committed: committed, until: done).output
    }

    func processAndCommit(on broker: LocalBroker, group: String, database: SQLiteServiceDatabase, committed: Int64?,
                          until done: @escaping ([KafkaMessage], [String]) -> Bool)
        async throws -> (output: [KafkaMessage], committed: [KafkaTopicPartition: Int64]) {
        let producer = try KafkaProducer(client: broker.clientConfig(), logger: logger)
        let consumer = try KafkaConsumer(config: KafkaConsumerConfig(client: broker.clientConfig(), mode: .group(id: group),
                                                                     topics: [topics.name(.submitted)]), logger: logger)
        let readiness = Readiness(needsMasterData: false) { consumer.isJoined }
        let publisher = OutboxPublisher(database: database, producer: producer, service: "intake-test", logger: logger)
        let processor = InboxProcessor(rules: SubmissionLog(), consumer: consumer, database: database, publisher: publisher,
                                       topics: topics, settings: .init(maxBatch: 50, maxWait: .milliseconds(20)),
                                       crashPoints: CrashPoints(environment: [:]), readiness: readiness, logger: logger)
        let run = Task { try await processor.run() }
        let reader = try KafkaConsumer(config: KafkaConsumerConfig(client: broker.clientConfig(), mode: .assignAll,
                                                                   topics: [topics.name(.status), topics.name(.deadletter)]), logger: logger)
        var seen: [KafkaMessage] = []
        // Joining a group on a freshly started local broker can be slow when the machine is busy.
        let deadline = ContinuousClock.now + .seconds(90)
        while ContinuousClock.now < deadline {
            seen += try await reader.poll(maxMessages: 100, maxWait: .milliseconds(50)) ?? []
            let input = KafkaTopicPartition(topic: topics.name(.submitted), partition: 0)
            if done(seen, try await handled(database)), committed == nil || consumer.committedOffsets[input] == committed { break }
        }
        let confirmed = consumer.committedOffsets
        run.cancel()
        _ = await run.result
        await reader.close()
        await consumer.close()
        await producer.shutdown()
        return (seen, confirmed)
    }

    func handled(_ database: SQLiteServiceDatabase) async throws -> [String] {
        try await database.read { try $0.get(SubmissionLog.Handled.self, "all")?.entries ?? [] }
    }

    func createTopics(_ broker: LocalBroker) async throws {
        let admin = try KafkaAdmin(client: broker.clientConfig(), logger: logger)
        _ = try await admin.createTopics([Topic.submitted, .status, .deadletter].map { KafkaTopicSpec(name: topics.name($0), partitions: 1) })
        await admin.close()
    }

    func send(_ messages: [KafkaOutgoingMessage], to broker: LocalBroker) async throws -> [Int64] {
        let producer = try KafkaProducer(client: broker.clientConfig(), logger: logger)
        let reports = try await producer.send(messages)
        await producer.shutdown()
        return reports.map(\.offset)
    }

    @Test func newInputAtReusedOffsetsIsProcessedAndARedeliveryIsNot() async throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("reuse-\(UUID().uuidString).sqlite")
        defer { try? FileManager.default.removeItem(at: url) }
        let database = try SQLiteServiceDatabase(path: url.path)
        let group = LocalBroker.uniqueName("intake")

        // First life of the topics: a submission and an unreadable message at offsets 0 and 1.
        let first = try await LocalBroker.start()
        try await createTopics(first)
        #expect(try await send([submission("A-1"), unreadable("oops one")], to: first) == [0, 1])
        let firstOutput = try await process(on: first, group: group, database: database) { seen, _ in
            seen.contains(status: "A-1", topics) && seen.contains(deadLetter: "oops one", topics)
        }
        #expect(firstOutput.contains(status: "A-1", topics) && firstOutput.contains(deadLetter: "oops one", topics))
        await first.stop()

        // The broker restarts empty; the service keeps its database. New, different input
        // lands on the same offsets: both are acted on (before: both skipped as seen).
        let second = try await LocalBroker.start()
        defer { Task { await second.stop() } }
        try await createTopics(second)
        let b1 = submission("B-1")
        #expect(try await send([b1, unreadable("oops two")], to: second) == [0, 1])
        let secondOutput = try await process(on: second, group: group, database: database) { seen, _ in
            seen.contains(status: "B-1", topics) && seen.contains(deadLetter: "oops two", topics)
        }
        #expect(secondOutput.contains(status: "B-1", topics), "the new submission at offset 0 was acted on")
        #expect(secondOutput.contains(deadLetter: "oops two", topics), "the new unreadable message at offset 1 was dead-lettered")
        #expect(try await handled(database).map { $0.prefix(while: { $0 != "@" }) } == ["A-1", "B-1"])

        // The same records delivered again (a group without commits reads from offset 0):
        // same bytes at the same positions, nothing done twice. The same submission sent
        // again at a new offset is a new message: it reaches the rules, whose business rule
        // (intake: `channel:externalOrderId`) decides it is a repeat.
        #expect(try await send([b1], to: second) == [2])
        let (_, committed) = try await processAndCommit(on: second, group: LocalBroker.uniqueName("again"), database: database,
                                                        committed: 3) { _, handled in handled.count >= 3 }
        let entries = try await handled(database)
        try #require(entries.count == 3, "\(entries)")
        #expect(entries.map { $0.prefix(while: { $0 != "@" }) } == ["A-1", "B-1", "B-1"])
        let ids = entries.map { $0.drop(while: { $0 != "@" }).dropFirst() }
        #expect(ids[1].hasPrefix("\(topics.name(.submitted))/0/0/") && ids[2].hasPrefix("\(topics.name(.submitted))/0/2/"))
        #expect(ids[0] != ids[1], "same position, different bytes: different ids")
        // One inbox entry per dead letter: the redelivered unreadable message was not
        // dead-lettered again. (The topics themselves may show an output twice: a restarted
        // service publishes its last batch's rows again, under the same ids.)
        let deadLetterEntries = try await database.write { tx in
            try Int.fetchOne((tx as! SQLiteTransaction).db, sql: "SELECT COUNT(*) FROM inbox WHERE event_id LIKE 'deadletter:%'")
        }
        #expect(deadLetterEntries == 2)

        // Every inbox entry knows where its message was read: once old enough, the entries
        // below the committed offset go (all five, old topic's included), nothing else.
        try await database.write { tx in try tx.markProcessed("elsewhere", at: Date(timeIntervalSinceNow: -30 * 86400),
                                                               position: InboxPosition(partition: KafkaTopicPartition(topic: "other", partition: 0), offset: 0)) }
        #expect(committed == [KafkaTopicPartition(topic: topics.name(.submitted), partition: 0): 3])
        #expect(try await database.pruneInbox(olderThan: .distantFuture, committed: committed) == 5)
        #expect(try await database.write { try $0.hasProcessed("elsewhere") })
    }
}

private extension [KafkaMessage] {
    func contains(status key: String, _ topics: TopicNames) -> Bool {
        contains { $0.topic == topics.name(.status) && $0.keyString == key }
    }

    func contains(deadLetter value: String, _ topics: TopicNames) -> Bool {
        contains { $0.topic == topics.name(.deadletter) && $0.valueString == value }
    }
}

@Suite struct MessageIdentityTests {
    func message(offset: Int64 = 4, key: [UInt8]?, value: [UInt8]?) -> KafkaMessage {
        KafkaMessage(topic: "orders.submitted", partition: 1, offset: offset, key: key, value: value, headers: [], timestamp: nil)
    }

    @Test func positionAndContentBothCount() {
        let original = message(key: Array("k".utf8), value: Array("v".utf8))
        #expect(MessageIdentity.submission(original) == MessageIdentity.submission(original), "a redelivery has the same id")
        #expect(MessageIdentity.submission(original).hasPrefix("orders.submitted/1/4/"))
        #expect(MessageIdentity.submission(original).count == "orders.submitted/1/4/".count + 16)
        #expect(MessageIdentity.deadLetter(original) == "deadletter:" + MessageIdentity.submission(original))
        let others = [
            message(offset: 5, key: Array("k".utf8), value: Array("v".utf8)),   // same bytes elsewhere
            message(key: Array("k".utf8), value: Array("w".utf8)),              // other bytes here
            message(key: nil, value: Array("v".utf8)),
            message(key: [], value: Array("v".utf8)),
            message(key: Array("kv".utf8), value: []),                           // bytes moved from value to key
            message(key: Array("k".utf8), value: nil),
        ]
        let ids = Set(([original] + others).map(MessageIdentity.submission))
        #expect(ids.count == others.count + 1)
    }
}
