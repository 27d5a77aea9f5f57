import Foundation
import Kafka
import TestSupport
import Testing

@Suite("Librdkafka version check")
struct VersionTests {
    @Test func runtimeLibraryIsSupported() throws {
        try Librdkafka.checkRuntimeVersion()
        #expect(Librdkafka.isSupported(versionNumber: Librdkafka.versionNumber))
        #expect(!Librdkafka.versionString.hasPrefix("2.0."))
    }

    @Test func comparisonRejectsDebian202() throws {
        #expect(!Librdkafka.isSupported(versionNumber: 0x0200_02ff))
        #expect(!Librdkafka.isSupported(versionNumber: 0x0109_00ff))
        #expect(Librdkafka.isSupported(versionNumber: 0x0201_00ff))
        #expect(Librdkafka.isSupported(versionNumber: 0x0210_00ff))
        #expect(Librdkafka.isSupported(versionNumber: 0x0300_00ff))
        let error = #expect(throws: KafkaError.self) { try Librdkafka.check(versionNumber: 0x0200_02ff) }
        #expect(error?.code == .unsupportedLibrary)
        #expect(error?.message.contains("2.0.2") == true)
        #expect(error?.message.contains("scripts/setup.sh") == true)
        #expect(error?.message.contains("LD_LIBRARY_PATH") == true)
    }

    @Test func invalidPropertyIsAConfigurationError() async throws {
        let config = KafkaClientConfig(bootstrapServers: "127.0.0.1:1", options: ["no.such.property": "1"])
        let error = #expect(throws: KafkaError.self) { try KafkaProducer(client: config) }
        #expect(error?.code == .configuration)
        #expect(error?.message.contains("no.such.property") == true)
    }
}

@Suite("Kafka client against a local broker", .timeLimit(.minutes(2)))
struct KafkaIntegrationTests {
    @Test func produceConsumeCommitRoundTrip() async throws {
        let broker = try await LocalBroker.shared()
        let topic = broker.uniqueTopic("roundtrip")
        try await createTopic(broker, topic, partitions: 2)

        let producer = try KafkaProducer(client: broker.clientConfig())
        let outgoing = [
            KafkaOutgoingMessage(topic: topic, key: "order-1", value: bytes("hello"),
                                 headers: [KafkaHeader(key: "type", value: "OrderSubmitted"), KafkaHeader(key: "nullable", value: nil)]),
            KafkaOutgoingMessage(topic: topic, key: "order-2", value: Data("second".utf8)),
            KafkaOutgoingMessage(topic: topic, key: nil as [UInt8]?, value: [], headers: [KafkaHeader(key: "empty", value: [])]),
        ]
        var reports: [KafkaDeliveryReport] = []
        for message in outgoing { reports.append(try await producer.send(message)) }
        #expect(reports.allSatisfy { $0.topic == topic && $0.offset >= 0 && (0..<2).contains($0.partition) })
        await producer.shutdown()

        let group = broker.uniqueTopic("roundtrip-group")
        let consumer = try KafkaConsumer(client: broker.clientConfig(), mode: .group(id: group), topics: [topic])
        let received = try await collect(consumer, count: 3)
        #expect(received.count == 3)
        #expect(consumer.isJoined)
        let byKey = Dictionary(uniqueKeysWithValues: received.map { ($0.keyString ?? "<nil>", $0) })
        let first = try #require(byKey["order-1"])
        #expect(first.valueString == "hello")
        #expect(first.headers == [KafkaHeader(key: "type", value: "OrderSubmitted"), KafkaHeader(key: "nullable", value: nil)])
        #expect(first.timestamp != nil)
        #expect(byKey["order-2"]?.value == bytes("second"))
        let third = try #require(byKey["<nil>"])
        #expect(third.key == nil)
        #expect(third.value == [])
        #expect(third.headers == [KafkaHeader(key: "empty", value: [])])
        for report in reports {
            #expect(received.contains { $0.partition == report.partition && $0.offset == report.offset })
        }

        var next: [KafkaTopicPartition: Int64] = [:]
        for m in received { next[m.topicPartition] = max(next[m.topicPartition] ?? 0, m.offset + 1) }
        try await consumer.commit(next)
        let high = try await consumer.highWatermarks()
        #expect(high.count == 2)
        for (tp, offset) in next { #expect(high[tp] == offset) }
        await consumer.close()
        #expect(consumer.isClosed)
        await #expect(throws: KafkaError.self) { try await consumer.commit(next) }
    }

    @Test func restartedConsumerResumesAfterLastCommit() async throws {
        let broker = try await LocalBroker.shared()
        let topic = broker.uniqueTopic("resume")
        try await createTopic(broker, topic, partitions: 1)
        let producer = try KafkaProducer(client: broker.clientConfig())
        _ = try await producer.send((0..<6).map { KafkaOutgoingMessage(topic: topic, key: "k", value: bytes("m\($0)")) })

        let group = broker.uniqueTopic("resume-group")
        let tp = KafkaTopicPartition(topic: topic, partition: 0)
        let first = try KafkaConsumer(client: broker.clientConfig(), mode: .group(id: group), topics: [topic])
        let firstBatch = try await collect(first, count: 6)
        #expect(firstBatch.map(\.offset) == [0, 1, 2, 3, 4, 5])
        // Processed only up to offset 2: commit next offset 3.
        // Partition 7 does not exist / is not assigned: skipped (logged), not an error.
        try await first.commit([tp: 3, KafkaTopicPartition(topic: topic, partition: 7): 1])
        await first.close()

        _ = try await producer.send(KafkaOutgoingMessage(topic: topic, key: "k", value: bytes("m6")))
        let second = try KafkaConsumer(client: broker.clientConfig(), mode: .group(id: group), topics: [topic])
        let resumed = try await collect(second, count: 4)
        #expect(resumed.map(\.offset) == [3, 4, 5, 6])
        #expect(resumed.map(\.valueString) == ["m3", "m4", "m5", "m6"])
        await second.close()
        await producer.shutdown()
    }

    @Test(arguments: ["range,roundrobin", "cooperative-sticky"])
    func twoConsumersSplitPartitions(strategy: String) async throws {
        let broker = try await LocalBroker.shared()
        let topic = broker.uniqueTopic("split")
        try await createTopic(broker, topic, partitions: 4)
        let group = broker.uniqueTopic("split-group")
        let all = Set((0..<4).map { KafkaTopicPartition(topic: topic, partition: Int32($0)) })
        let options = ["partition.assignment.strategy": strategy]
        let a = try KafkaConsumer(client: broker.clientConfig(clientId: "a", options: options), mode: .group(id: group), topics: [topic])
        let b = try KafkaConsumer(client: broker.clientConfig(clientId: "b", options: options), mode: .group(id: group), topics: [topic])

        let split: Bool = try await withThrowingTaskGroup(of: Bool.self) { tasks in
            for consumer in [a, b] {
                tasks.addTask {
                    // Polling drives the group protocol; no messages are expected.
                    for try await _ in consumer.batches(maxMessages: 10, maxWait: .milliseconds(50)) {}
                    return false
                }
            }
            tasks.addTask {
                let deadline = ContinuousClock.now + .seconds(45)
                while ContinuousClock.now < deadline {
                    let sa = a.assignment, sb = b.assignment
                    if !sa.isEmpty, !sb.isEmpty, sa.union(sb) == all, sa.isDisjoint(with: sb) { return true }
                    try await Task.sleep(for: .milliseconds(100))
                }
                return false
            }
            let result = try await tasks.next()!
            tasks.cancelAll()
            return result
        }
        #expect(split, "assignments: a=\(a.assignment.sorted()) b=\(b.assignment.sorted())")
        #expect(a.isJoined && b.isJoined)
        await a.close()
        await b.close()
        // The rebalance events reflect what happened; the stream ends at close.
        var events: [KafkaRebalanceEvent] = []
        for await event in a.rebalanceEvents { events.append(event) }
        #expect(events.contains { if case .assigned(let p) = $0 { return !p.isEmpty } else { return false } })
        #expect(a.assignment.isEmpty)
    }

    @Test func topicCreationIsIdempotentAndAcceptsCompaction() async throws {
        let broker = try await LocalBroker.shared()
        let admin = try KafkaAdmin(client: broker.clientConfig())
        let name = broker.uniqueTopic("master-data")
        let spec = KafkaTopicSpec(name: name, partitions: 3, replicationFactor: 1, config: ["cleanup.policy": "compact"])
        let first = try await admin.createTopics([spec], timeout: .seconds(10))
        #expect(first == [name: .created])
        let second = try await admin.createTopics([spec], timeout: .seconds(10))
        #expect(second == [name: .alreadyExisted])
        #expect(try await admin.partitionCount(of: name) == 3)
        #expect(try await admin.partitionCount(of: broker.uniqueTopic("missing")) == nil)
        await admin.close()
        await #expect(throws: KafkaError.self) { _ = try await admin.partitionCount(of: name) }
    }

    @Test func batchSendKeepsOrderWithinAPartition() async throws {
        let broker = try await LocalBroker.shared()
        let topic = broker.uniqueTopic("order")
        try await createTopic(broker, topic, partitions: 3)
        let producer = try KafkaProducer(client: broker.clientConfig())
        let count = 300
        let messages = (0..<count).map { KafkaOutgoingMessage(topic: topic, key: "same-key", value: bytes("\($0)")) }
        let reports = try await producer.send(messages)
        #expect(reports.count == count)
        #expect(Set(reports.map(\.partition)).count == 1)
        #expect(reports.map(\.offset) == reports.map(\.offset).sorted())
        #expect(Set(reports.map(\.offset)).count == count)
        await producer.shutdown()

        let consumer = try KafkaConsumer(client: broker.clientConfig(), mode: .group(id: broker.uniqueTopic("order-group")), topics: [topic])
        let received = try await collect(consumer, count: count)
        #expect(received.map(\.valueString) == (0..<count).map { "\($0)" })
        await consumer.close()
    }

    @Test func fullLocalQueueIsWaitedOutInOrder() async throws {
        let broker = try await LocalBroker.shared()
        let topic = broker.uniqueTopic("queue-full")
        try await createTopic(broker, topic, partitions: 1)
        // A tiny local queue forces QUEUE_FULL during the batch; send must wait and retry.
        let producer = try KafkaProducer(client: broker.clientConfig(options: ["queue.buffering.max.messages": "5"]))
        let reports = try await producer.send((0..<100).map { KafkaOutgoingMessage(topic: topic, key: "k", value: bytes("\($0)")) })
        #expect(reports.map(\.offset) == (0..<100).map(Int64.init))
        await producer.shutdown()

        let tiny = try KafkaProducer(config: KafkaProducerConfig(
            client: KafkaClientConfig(bootstrapServers: "127.0.0.1:1", options: ["queue.buffering.max.messages": "1"]),
            flushTimeout: .milliseconds(200), queueFullTimeout: .milliseconds(100)))
        // No broker: the first message stays queued, the second cannot be enqueued.
        let error = await #expect(throws: KafkaError.self) {
            _ = try await tiny.send([KafkaOutgoingMessage(topic: topic, key: "a", value: bytes("1")),
                                     KafkaOutgoingMessage(topic: topic, key: "b", value: bytes("2"))])
        }
        #expect(error?.code == .queueFull)
        await tiny.shutdown()
    }

    @Test func sendAfterShutdownThrowsShutdown() async throws {
        let broker = try await LocalBroker.shared()
        let topic = broker.uniqueTopic("closed")
        try await createTopic(broker, topic, partitions: 1)
        let producer = try KafkaProducer(client: broker.clientConfig())
        _ = try await producer.send(KafkaOutgoingMessage(topic: topic, key: "k", value: bytes("before")))
        await producer.shutdown()
        await producer.shutdown()  // idempotent
        let error = await #expect(throws: KafkaError.self) {
            _ = try await producer.send(KafkaOutgoingMessage(topic: topic, key: "k", value: bytes("after")))
        }
        #expect(error?.code == .shutdown)
        let batchError = await #expect(throws: KafkaError.self) {
            _ = try await producer.send([KafkaOutgoingMessage(topic: topic, key: "k", value: bytes("after"))])
        }
        #expect(batchError?.code == .shutdown)
    }

    @Test func assignAllReadsEverythingAndWatermarksMatch() async throws {
        let broker = try await LocalBroker.shared()
        let topic = broker.uniqueTopic("materialise")
        try await createTopic(broker, topic, partitions: 3, config: ["cleanup.policy": "compact"])
        let producer = try KafkaProducer(client: broker.clientConfig())
        let count = 60
        let reports = try await producer.send((0..<count).map {
            KafkaOutgoingMessage(topic: topic, key: "sku-\($0)", value: bytes("v\($0)"))
        })
        await producer.shutdown()
        #expect(Set(reports.map(\.partition)).count > 1)

        let consumer = try KafkaConsumer(client: broker.clientConfig(), mode: .assignAll, topics: [topic])
        let received = try await collect(consumer, count: count)
        #expect(received.count == count)
        #expect(Set(received.compactMap(\.keyString)) == Set((0..<count).map { "sku-\($0)" }))
        #expect(consumer.isJoined)
        #expect(consumer.assignment == Set((0..<3).map { KafkaTopicPartition(topic: topic, partition: Int32($0)) }))

        let high = try await consumer.highWatermarks()
        #expect(high.count == 3)
        var expected: [KafkaTopicPartition: Int64] = [:]
        for r in reports {
            let tp = KafkaTopicPartition(topic: topic, partition: r.partition)
            expected[tp] = max(expected[tp] ?? 0, r.offset + 1)
        }
        for p in 0..<Int32(3) {
            let tp = KafkaTopicPartition(topic: topic, partition: p)
            #expect(high[tp] == (expected[tp] ?? 0), "\(tp)")
        }
        await #expect(throws: KafkaError.self) { try await consumer.commit([KafkaTopicPartition(topic: topic, partition: 0): 1]) }
        await consumer.close()
    }

    @Test func undeliverableMessageThrowsDelivery() async throws {
        let broker = try await LocalBroker.shared()
        let missing = broker.uniqueTopic("missing")
        let producer = try KafkaProducer(client: broker.clientConfig(options: ["message.timeout.ms": "1500"]))
        let error = await #expect(throws: KafkaError.self) {
            _ = try await producer.send(KafkaOutgoingMessage(topic: missing, key: "k", value: bytes("lost")))
        }
        #expect(error?.code == .delivery)
        #expect(error?.rdKafkaName == "_MSG_TIMED_OUT")
        // The producer did not auto-create the topic.
        let admin = try KafkaAdmin(client: broker.clientConfig())
        #expect(try await admin.partitionCount(of: missing) == nil)
        await admin.close()
        await producer.shutdown()
    }

    @Test func tombstoneIsAccepted() async throws {
        let broker = try await LocalBroker.shared()
        let topic = broker.uniqueTopic("tombstone")
        try await createTopic(broker, topic, partitions: 1, config: ["cleanup.policy": "compact"])
        let producer = try KafkaProducer(client: broker.clientConfig())
        let put = try await producer.send(KafkaOutgoingMessage(topic: topic, key: "sku-1", value: bytes("v1")))
        let delete = try await producer.send(.tombstone(topic: topic, key: "sku-1"))
        #expect(put.offset == 0)
        #expect(delete.offset == 1)
        await producer.shutdown()

        // Tansu never hands out tombstones: the reader sees only the put, then empty polls.
        let consumer = try KafkaConsumer(client: broker.clientConfig(), mode: .assignAll, topics: [topic])
        var seen: [KafkaMessage] = []
        var emptyPolls = 0
        let deadline = ContinuousClock.now + .seconds(20)
        while emptyPolls < 3, ContinuousClock.now < deadline, let batch = try await consumer.poll(maxMessages: 10, maxWait: .milliseconds(100)) {
            seen += batch
            emptyPolls = batch.isEmpty && !seen.isEmpty ? emptyPolls + 1 : 0
        }
        #expect(seen.first?.valueString == "v1")
        #expect(seen.allSatisfy { $0.value != nil } || seen.count == 2)
        #expect(try await consumer.highWatermarks()[KafkaTopicPartition(topic: topic, partition: 0)] == 2)
        await consumer.close()
        #expect(try await consumer.poll() == nil)
    }

    @Test func droppedClientsCleanUpInTheBackground() async throws {
        let broker = try await LocalBroker.shared()
        let topic = broker.uniqueTopic("dropped")
        try await createTopic(broker, topic, partitions: 1)
        do {
            let producer = try KafkaProducer(client: broker.clientConfig())
            _ = try await producer.send(KafkaOutgoingMessage(topic: topic, key: "k", value: bytes("x")))
            let consumer = try KafkaConsumer(client: broker.clientConfig(), mode: .group(id: broker.uniqueTopic("dropped-group")), topics: [topic])
            #expect(try await collect(consumer, count: 1).count == 1)
            let admin = try KafkaAdmin(client: broker.clientConfig())
            #expect(try await admin.partitionCount(of: topic) == 1)
            // No shutdown()/close(): deinit hands cleanup to the clients' own threads/queues.
        }
        try await Task.sleep(for: .milliseconds(500))
        // The broker still serves new clients afterwards.
        let admin = try KafkaAdmin(client: broker.clientConfig())
        #expect(try await admin.partitionCount(of: topic) == 1)
        await admin.close()
    }

    @Test func servicesStopWhenRunIsCancelled() async throws {
        let broker = try await LocalBroker.shared()
        let topic = broker.uniqueTopic("service")
        try await createTopic(broker, topic, partitions: 1)
        let producer = try KafkaProducer(client: broker.clientConfig())
        let consumer = try KafkaConsumer(client: broker.clientConfig(), mode: .group(id: broker.uniqueTopic("service-group")), topics: [topic])
        let producerRun = Task { try await producer.run() }
        let consumerRun = Task { try await consumer.run() }
        _ = try await producer.send(KafkaOutgoingMessage(topic: topic, key: "k", value: bytes("x")))
        #expect(try await collect(consumer, count: 1).count == 1)
        producerRun.cancel()
        consumerRun.cancel()
        try await producerRun.value
        try await consumerRun.value
        #expect(consumer.isClosed)
        // A closed consumer's batches end immediately.
        var iterator = consumer.batches().makeAsyncIterator()
        #expect(try await iterator.next() == nil)
        let error = await #expect(throws: KafkaError.self) {
            _ = try await producer.send(KafkaOutgoingMessage(topic: topic, key: "k", value: bytes("y")))
        }
        #expect(error?.code == .shutdown)
    }
}

@Suite("LocalBroker")
struct LocalBrokerTests {
    @Test func startAndStopOwnBroker() async throws {
        let broker = try await LocalBroker.start()
        #expect(broker.bootstrapServers.hasPrefix("127.0.0.1:"))
        let admin = try KafkaAdmin(client: broker.clientConfig())
        let name = broker.uniqueTopic("own")
        #expect(try await admin.createTopics([KafkaTopicSpec(name: name, partitions: 2)])[name] == .created)
        await admin.close()
        await broker.stop()
        await broker.stop()  // idempotent
        #expect(broker.uniqueTopic("x") != broker.uniqueTopic("x"))
    }
}
