import DepartmentKit
import Foundation
import Kafka
import Logging
import OrderModel
@testable import ServiceKit
import Testing
import TestSupport

/// Test rules: every `stock.received` is echoed as a `stock.in-transit` to the status
/// topic and counted; a quantity of 0 makes the handler throw.
private struct EchoRules: DepartmentRules {
    struct Seen: StateRecord { static let kind = "echo.seen"; var count: Int }
    let department = "echo"
    let handledEventTypes: Set<String> = [StockReceived.eventType]

    func handle(_ event: InboundEvent, state: any StateStore, context: HandlerContext) throws -> HandlerOutcome {
        let stock = event.payload as! StockReceived
        let seen = try state.get(Seen.self, "all")?.count ?? 0
        try state.put(Seen(count: seen + 1), "all")
        guard stock.quantity > 0 else { throw RuleViolation("quantity must be positive") }
        var outcome = HandlerOutcome()
        outcome.emit(StockInTransit(sku: stock.sku, quantity: stock.quantity, reference: stock.reference), to: .status, key: stock.sku.rawValue)
        return outcome
    }
}

@Suite struct InboxProcessorTests {
    @Test func processesOnceDeadLettersFailuresAndPublishesLeftoversFirst() async throws {
        let broker = try await LocalBroker.start()
        let topics = TopicNames(prefix: LocalBroker.uniqueName("ik") + ".")
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        let admin = try KafkaAdmin(client: broker.clientConfig(), logger: logger)
        _ = try await admin.createTopics([Topic.warehouse, .status, .deadletter].map { KafkaTopicSpec(name: topics.name($0), partitions: 2) })
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("ik-\(UUID().uuidString).sqlite")
        let database = try SQLiteServiceDatabase(path: url.path)
        // A row a crash left in the outbox: published before anything new is consumed.
        try await database.write { tx in
            try tx.enqueue(topic: topics.name(.status), key: Array("left".utf8), value: Array("leftover".utf8), headers: [:])
        }
        let producer = try KafkaProducer(client: broker.clientConfig(), logger: logger)
        let consumer = try KafkaConsumer(config: KafkaConsumerConfig(client: broker.clientConfig(), mode: .group(id: LocalBroker.uniqueName("g")),
                                                                     topics: [topics.name(.warehouse)]), logger: logger)
        let readiness = Readiness(needsMasterData: false) { consumer.isJoined }
        let publisher = OutboxPublisher(database: database, producer: producer, service: "echo", logger: logger)
        let processor = InboxProcessor(rules: EchoRules(), consumer: consumer, database: database, publisher: publisher, topics: topics,
                                       settings: .init(maxBatch: 50, maxWait: .milliseconds(20)), crashPoints: CrashPoints(environment: [:]),
                                       readiness: readiness, logger: logger)

        func envelope(_ id: String, quantity: Int) throws -> KafkaOutgoingMessage {
            let env = try EventEnvelope(id: id, source: "/t", subject: nil, time: Date(), correlationid: nil, causationid: nil,
                                        payload: StockReceived(sku: SKU("S-\(quantity)"), quantity: quantity, reference: "r"))
            return KafkaOutgoingMessage(topic: topics.name(.warehouse), key: Array("k".utf8), value: Array(try env.encoded()))
        }
        // e-1 twice (same id, re-delivered): acted on once. e-0 throws: dead letter. A known
        // event the rules do not act on (misrouted to this inbox): dead letter, not dropped.
        let misrouted = try EventEnvelope(id: "e-3", source: "/t", subject: nil, time: Date(), correlationid: nil, causationid: nil,
                                          payload: StockInTransit(sku: SKU("S-3"), quantity: 3, reference: "r"))
        _ = try await producer.send([try envelope("e-1", quantity: 1), try envelope("e-2", quantity: 2), try envelope("e-1", quantity: 1),
                                     try envelope("e-0", quantity: 0), KafkaOutgoingMessage(topic: topics.name(.warehouse), key: "k", value: Array("oops".utf8)),
                                     KafkaOutgoingMessage(topic: topics.name(.warehouse), key: "k", value: Array(try misrouted.encoded()))])

        let run = Task { try await processor.run() }
        let reader = try KafkaConsumer(config: KafkaConsumerConfig(client: broker.clientConfig(), mode: .assignAll,
                                                                   topics: [topics.name(.status), topics.name(.deadletter)]), logger: logger)
        var seen: [KafkaMessage] = []
        let deadline = ContinuousClock.now + .seconds(30)
        // poll, not batches: an empty poll still reaches the deadline check.
        while seen.count < 6, ContinuousClock.now < deadline, let batch = try await reader.poll(maxMessages: 100, maxWait: .milliseconds(100)) {
            seen += batch
        }
        run.cancel()
        _ = await run.result
        await reader.close()

        let status = seen.filter { $0.topic == topics.name(.status) }
        let dead = seen.filter { $0.topic == topics.name(.deadletter) }
        #expect(status.first?.valueString == "leftover", "the leftover row goes out first")
        #expect(status.count == 3, "leftover + e-1 once + e-2: \(status.map(\.valueString))")
        #expect(dead.count == 3)
        let deadReasons = Set(dead.compactMap { $0.headers.first { $0.key == "reason" }?.value.map { String(decoding: $0, as: UTF8.self) } })
        #expect(deadReasons == ["handler_error", "not_json", "unexpected_event_type"])
        // The failing handler's state write was rolled back: only e-1 and e-2 counted.
        #expect(try await database.read { try $0.get(EchoRules.Seen.self, "all")?.count } == 2)
        // Nothing waits to be published; what the outbox table still holds is published rows
        // that the next transaction deletes.
        #expect(await publisher.backlog == 0)
        #expect(try await database.outboxBacklog() == publisher.publishedRows.peek().count)

        await consumer.close()
        await producer.shutdown()
        await admin.close()
        await broker.stop()
        try? FileManager.default.removeItem(at: url)
    }
}
