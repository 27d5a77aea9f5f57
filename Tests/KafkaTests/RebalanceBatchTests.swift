import Foundation
@testable import Kafka
import Logging
import Synchronization
import TestSupport
import Testing

@Suite("Revocation cut (bookkeeping)")
struct RevocationCutTests {
    private func message(_ topic: String, _ partition: Int32, _ offset: Int64) -> KafkaMessage {
        KafkaMessage(topic: topic, partition: partition, offset: offset, key: nil, value: nil, headers: [], timestamp: nil)
    }

    @Test func dropsOnlyRevokedPartitionsAndKeepsOrder() {
        let batch = [message("t", 0, 5), message("t", 1, 7), message("u", 0, 1), message("t", 0, 6), message("t", 2, 3)]
        let revoked: Set = [KafkaTopicPartition(topic: "t", partition: 0), KafkaTopicPartition(topic: "t", partition: 3)]
        let kept = RevocationCut.dropping(revoked, from: batch)
        #expect(kept.map { "\($0.topic)/\($0.partition)@\($0.offset)" } == ["t/1@7", "u/0@1", "t/2@3"])
        #expect(RevocationCut.dropping([], from: batch).count == batch.count)
        #expect(RevocationCut.dropping(Set(batch.map(\.topicPartition)), from: batch).isEmpty)
    }

    @Test func revocationsAreHandedToThePollLoopOnce() {
        let (_, continuation) = AsyncStream.makeStream(of: KafkaRebalanceEvent.self)
        let handler = RebalanceHandler(logger: Logger(label: "t"), events: continuation)
        let p0 = KafkaTopicPartition(topic: "t", partition: 0), p1 = KafkaTopicPartition(topic: "t", partition: 1)
        handler.recordAssigned([p0, p1])
        #expect(handler.takeRevokedDuringPoll().isEmpty, "an assignment is not a revocation")
        handler.recordRevoked([p0], all: false)
        handler.recordRevoked([p1], all: false)
        #expect(handler.takeRevokedDuringPoll() == [p0, p1])
        #expect(handler.takeRevokedDuringPoll().isEmpty)
        handler.recordCut(dropped: 3)
        #expect(handler.revocationStatistics == KafkaRevocationStatistics(cutBatches: 1, droppedMessages: 3))
    }
}

/// Two group consumers on one topic; B joins while A is consuming a steady stream: no batch
/// A hands out after the revocation holds messages of partitions A no longer owns, each
/// owner hands each message out at most once per generation of its ownership, and every
/// message reaches an owner (at-least-once).
@Suite("Rebalances end a batch (local broker)", .timeLimit(.minutes(3)), .serialized)
struct RebalanceBatchTests {
    /// What one consumer handed out: per poll, the messages and the partitions it owned
    /// right after the poll returned (rebalance callbacks run only inside polls).
    final class Recording: Sendable {
        struct Poll: Sendable {
            var messages: [KafkaMessage]
            var ownedAfter: Set<KafkaTopicPartition>
        }
        let polls = Mutex<[Poll]>([])
        var all: [Poll] { polls.withLock { $0 } }
        var messageCount: Int { polls.withLock { $0.reduce(0) { $0 + $1.messages.count } } }
    }

    /// Polls like the inbox loop: a batch, some "processing" time, an asynchronous commit.
    static func consume(_ consumer: KafkaConsumer, into recording: Recording, processing: Duration,
                        maxWait: Duration = .milliseconds(100)) async throws {
        while !Task.isCancelled, let batch = try await consumer.poll(maxMessages: 500, maxWait: maxWait) {
            recording.polls.withLock { $0.append(.init(messages: batch, ownedAfter: consumer.assignment)) }
            guard !batch.isEmpty else { continue }
            try? await Task.sleep(for: processing)
            var next: [KafkaTopicPartition: Int64] = [:]
            for m in batch { next[m.topicPartition] = max(next[m.topicPartition] ?? 0, m.offset + 1) }
            let committed = try await consumer.commit(next, waitForBroker: false)
            #expect(Set(committed.keys).isSubset(of: consumer.assignment), "commits only partitions still owned")
        }
    }

    /// Per (partition, generation of this consumer's ownership of it): the offsets handed out.
    static func deliveriesByGeneration(_ polls: [Recording.Poll]) -> [String: [Int64]] {
        var owned: Set<KafkaTopicPartition> = []
        var generation: [KafkaTopicPartition: Int] = [:]
        var result: [String: [Int64]] = [:]
        for poll in polls {
            for partition in poll.ownedAfter.subtracting(owned) { generation[partition, default: 0] += 1 }
            owned = poll.ownedAfter
            for m in poll.messages {
                result["\(m.topicPartition)#\(generation[m.topicPartition] ?? 0)", default: []].append(m.offset)
            }
        }
        return result
    }

    @Test(arguments: ["range,roundrobin", "cooperative-sticky"])
    func noBatchStraddlesARevocation(strategy: String) async throws {
        let broker = try await LocalBroker.shared()
        let topic = broker.uniqueTopic("rebalance-cut")
        let partitions = 4
        try await createTopic(broker, topic, partitions: partitions)
        var logger = Logger(label: "rebalance-test")
        logger.logLevel = .warning
        let groupId = broker.uniqueTopic("rebalance-cut-group")
        let options = ["partition.assignment.strategy": strategy]
        let producer = try KafkaProducer(client: broker.clientConfig(clientId: "p"), logger: logger)
        let produced = Mutex<Set<String>>([])

        // A steady stream through the rebalance, so that A's local queue holds messages of
        // every partition when the group takes some away.
        let production = Task {
            for round in 0..<80 {
                let reports = try await producer.send((0..<(partitions * 2)).map {
                    KafkaOutgoingMessage(topic: topic, key: "key-\($0)", value: bytes("r\(round)-\($0)"))
                })
                produced.withLock { set in for r in reports { set.insert("\(r.partition)@\(r.offset)") } }
                try await Task.sleep(for: .milliseconds(100))
            }
        }

        let a = try KafkaConsumer(client: broker.clientConfig(clientId: "a", options: options), mode: .group(id: groupId), topics: [topic], logger: logger)
        // A takes its batches slowly (up to 3 s each, 20 ms per message), so that the
        // rebalance arrives while a batch is being polled.
        a.delayPerMessageForTesting.store(20_000, ordering: .relaxed)
        let recordA = Recording(), recordB = Recording()
        let consumeA = Task { try await Self.consume(a, into: recordA, processing: .milliseconds(50), maxWait: .seconds(3)) }
        // B joins (the group rebalances) once A has consumed something.
        try await withTimeout(.seconds(30), "A's first messages") {
            while recordA.messageCount == 0 { try await Task.sleep(for: .milliseconds(50)) }
        }
        let b = try KafkaConsumer(client: broker.clientConfig(clientId: "b", options: options), mode: .group(id: groupId), topics: [topic], logger: logger)
        let consumeB = Task { try await Self.consume(b, into: recordB, processing: .milliseconds(50)) }
        try await withTimeout(.seconds(90), "B's assignment") {
            while b.assignment.isEmpty { try await Task.sleep(for: .milliseconds(50)) }
        }
        a.delayPerMessageForTesting.store(0, ordering: .relaxed)

        // Until production is over and every message has reached an owner.
        try await production.value
        let expected = produced.withLock { $0 }
        @Sendable func seen() -> Set<String> {
            Set((recordA.all + recordB.all).flatMap(\.messages).map { "\($0.partition)@\($0.offset)" })
        }
        try await withTimeout(.seconds(60), "every message to reach an owner") {
            while !expected.isSubset(of: seen()) { try await Task.sleep(for: .milliseconds(100)) }
        }
        consumeA.cancel()
        consumeB.cancel()
        _ = await consumeA.result
        _ = await consumeB.result

        let pollsA = recordA.all, pollsB = recordB.all
        #expect(pollsA.contains { !$0.ownedAfter.isEmpty } && pollsB.contains { !$0.ownedAfter.isEmpty }, "both consumers owned partitions")
        #expect(pollsA.contains { $0.ownedAfter.count == partitions } && (pollsA.last?.ownedAfter.count ?? 0) < partitions,
                "A owned every partition, then lost some to B")
        for (name, polls) in [("A", pollsA), ("B", pollsB)] {
            for (index, poll) in polls.enumerated() {
                let foreign = poll.messages.filter { !poll.ownedAfter.contains($0.topicPartition) }
                #expect(foreign.count == 0, "\(name) poll \(index) handed out messages of partitions it no longer owned: \(Set(foreign.map(\.partition)).sorted()) (owned after: \(poll.ownedAfter.map(\.partition).sorted()))")
            }
            for (key, offsets) in Self.deliveriesByGeneration(polls) {
                #expect(offsets == offsets.sorted() && Set(offsets).count == offsets.count,
                        "\(name) handed out \(key) more than once or out of order within one ownership")
            }
        }
        #expect(expected.isSubset(of: seen()), "at-least-once: every produced message was handed to an owner")
        let statsA = a.revocationStatistics
        print("rebalance test [\(strategy)]: A polls \(pollsA.count), B polls \(pollsB.count), A cut \(statsA.cutBatches) batches (\(statsA.droppedMessages) dropped), B cut \(b.revocationStatistics.cutBatches)")

        await a.close()
        await b.close()
        await producer.shutdown()
    }
}
