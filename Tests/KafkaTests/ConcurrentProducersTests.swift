import Foundation
import Kafka
import Synchronization
import TestSupport
import Testing

@Suite("Live group reader vs concurrent idempotent producers", .timeLimit(.minutes(3)))
struct ConcurrentProducersTests {
    /// Tansu can make a live consumer skip records while several idempotent producers append
    /// concurrently; the offset-gap guard must re-fetch them. 5 producers × 40 000 records into
    /// one 6-partition topic (default local batching) while one group consumer reads live:
    /// every (producer, sequence) arrives exactly once. (At this size the guard re-fetches in
    /// some runs, not all; the test does not depend on it.)
    @Test func everyRecordArrivesExactlyOnce() async throws {
        let producers = 5
        // ORDERFLOW_LIVE_GAPS_PER_PRODUCER: a bigger load for stress runs.
        let perProducer = ProcessInfo.processInfo.environment["ORDERFLOW_LIVE_GAPS_PER_PRODUCER"].flatMap { Int($0) } ?? 40_000
        let total = producers * perProducer
        let started = ContinuousClock.now
        // An own broker: this test loads it heavily, other tests keep the shared one.
        let broker = try await LocalBroker.start()
        do {
            try await run(broker: broker, producers: producers, perProducer: perProducer, total: total, started: started)
        } catch {
            await broker.stop()
            throw error
        }
        await broker.stop()
    }

    private func run(broker: LocalBroker, producers: Int, perProducer: Int, total: Int, started: ContinuousClock.Instant) async throws {
        let topic = broker.uniqueTopic("live-gaps")
        try await createTopic(broker, topic, partitions: 6)
        let consumer = try KafkaConsumer(
            client: broker.clientConfig(clientId: "live-reader"), mode: .group(id: broker.uniqueTopic("live-gaps-group")), topics: [topic])
        let tally = Tally(producers: producers, perProducer: perProducer)

        let reader = Task {
            for try await batch in consumer.batches(maxMessages: 1000, maxWait: .milliseconds(100)) {
                tally.record(batch)
                if tally.received >= total { break }
            }
        }
        // The reader is live before the first record is written.
        let joinDeadline = ContinuousClock.now + .seconds(30)
        while consumer.assignment.count < 6, ContinuousClock.now < joinDeadline { try await Task.sleep(for: .milliseconds(20)) }
        try #require(consumer.assignment.count == 6, "consumer did not get the 6 partitions")

        let produceStart = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for p in 0..<producers {
                group.addTask {
                    let producer = try KafkaProducer(client: broker.clientConfig(clientId: "producer-\(p)"))
                    let chunk = 1000
                    for start in stride(from: 0, to: perProducer, by: chunk) {
                        let messages = (start..<min(perProducer, start + chunk)).map { seq in
                            KafkaOutgoingMessage(topic: topic, key: "p\(p)-\(seq)", value: bytes("\(p):\(seq)"))
                        }
                        _ = try await producer.send(messages)
                    }
                    await producer.shutdown()
                }
            }
            try await group.waitForAll()
        }
        let produceTime = ContinuousClock.now - produceStart

        // Give the reader time to catch up, then stop it.
        let readDeadline = ContinuousClock.now + .seconds(30)
        while tally.received < total, ContinuousClock.now < readDeadline { try await Task.sleep(for: .milliseconds(20)) }
        reader.cancel()
        try await reader.value
        let readTime = ContinuousClock.now - produceStart
        let stats = consumer.gapStatistics
        await consumer.close()

        let result = tally.result()
        print("""
            live-gaps: \(total) records from \(producers) producers, received \(result.received), \
            missing \(result.missing.count), duplicates \(result.duplicates), out-of-order offsets \(result.offsetRegressions); \
            gap guard: refetches \(stats.refetches), accepted gaps \(stats.acceptedGaps), dropped duplicates \(stats.droppedDuplicates); \
            produce \(produceTime), produce+read \(readTime), test \(ContinuousClock.now - started)
            """)
        var missingInLog = ""
        if !result.missing.isEmpty {
            // Diagnose: are the missing records in the log? (Re-read from the start.)
            let rereader = try KafkaConsumer(client: broker.clientConfig(clientId: "rereader"), mode: .assignAll, topics: [topic])
            let all = Tally(producers: producers, perProducer: perProducer)
            var empty = 0
            while empty < 20, let batch = try await rereader.poll(maxMessages: 1000, maxWait: .milliseconds(100)) {
                all.record(batch)
                empty = batch.isEmpty ? empty + 1 : 0
            }
            await rereader.close()
            missingInLog = "; a re-read from the start finds \(all.result().received) records, missing \(all.result().missing.count)"
        }
        #expect(result.missing.count == 0, "missing \(result.missing.count) records, e.g. \(result.missing.prefix(10))\(missingInLog)")
        #expect(result.duplicates == 0)
        #expect(result.offsetRegressions == 0)
        #expect(result.received == total)
    }
}

/// Counts what a reader was handed, by payload `"<producer>:<sequence>"`.
private final class Tally: Sendable {
    struct Result {
        var received: Int
        var missing: [String]
        var duplicates: Int
        var offsetRegressions: Int
    }

    private struct State {
        var counts: [[UInt8]]
        var received = 0
        var duplicates = 0
        var lastOffset: [KafkaTopicPartition: Int64] = [:]
        var offsetRegressions = 0
        var malformed = 0
    }

    private let state: Mutex<State>
    private let receivedCount = Atomic<Int>(0)

    init(producers: Int, perProducer: Int) {
        state = Mutex(State(counts: Array(repeating: Array(repeating: 0, count: perProducer), count: producers)))
    }

    var received: Int { receivedCount.load(ordering: .relaxed) }

    func record(_ batch: [KafkaMessage]) {
        state.withLock { state in
            for message in batch {
                if let last = state.lastOffset[message.topicPartition], message.offset <= last { state.offsetRegressions += 1 }
                state.lastOffset[message.topicPartition] = message.offset
                let parts = (message.valueString ?? "").split(separator: ":")
                guard parts.count == 2, let p = Int(parts[0]), let seq = Int(parts[1]),
                      state.counts.indices.contains(p), state.counts[p].indices.contains(seq) else {
                    state.malformed += 1
                    continue
                }
                if state.counts[p][seq] > 0 { state.duplicates += 1 } else { state.received += 1 }
                state.counts[p][seq] &+= 1
            }
            receivedCount.store(state.received, ordering: .relaxed)
        }
    }

    func result() -> Result {
        state.withLock { state in
            var missing: [String] = []
            for (p, counts) in state.counts.enumerated() {
                for (seq, count) in counts.enumerated() where count == 0 { missing.append("\(p):\(seq)") }
            }
            return Result(received: state.received, missing: missing, duplicates: state.duplicates + state.malformed,
                          offsetRegressions: state.offsetRegressions)
        }
    }
}

@Suite("Asynchronous offset commits", .timeLimit(.minutes(2)))
struct AsyncCommitTests {
    @Test func asyncCommitIsStoredAndResumedFrom() async throws {
        let broker = try await LocalBroker.shared()
        let topic = broker.uniqueTopic("async-commit")
        try await createTopic(broker, topic, partitions: 1)
        let producer = try KafkaProducer(client: broker.clientConfig())
        _ = try await producer.send((0..<6).map { KafkaOutgoingMessage(topic: topic, key: "k", value: bytes("m\($0)")) })

        let group = broker.uniqueTopic("async-commit-group")
        let tp = KafkaTopicPartition(topic: topic, partition: 0)
        let first = try KafkaConsumer(client: broker.clientConfig(), mode: .group(id: group), topics: [topic])
        #expect(try await collect(first, count: 6).map(\.offset) == [0, 1, 2, 3, 4, 5])
        let handedOver = try await first.commit([tp: 2], waitForBroker: false)
        #expect(handedOver == [tp: 2])
        // A later asynchronous commit of the same partition supersedes the first.
        #expect(try await first.commit([tp: 4], waitForBroker: false) == [tp: 4])
        // The results are served by polls; nothing failed.
        for _ in 0..<5 { _ = try await first.poll(maxMessages: 10, maxWait: .milliseconds(50)) }
        #expect(first.pendingCommitFailures.isEmpty)
        #expect(first.gapStatistics == KafkaGapStatistics())
        await first.close()  // waits for outstanding commits

        let second = try KafkaConsumer(client: broker.clientConfig(), mode: .group(id: group), topics: [topic])
        let resumed = try await collect(second, count: 2)
        #expect(resumed.map(\.offset) == [4, 5])
        // Nothing to commit and nothing pending: a no-op.
        #expect(try await second.commit([:], waitForBroker: false).isEmpty)
        await second.close()
        await producer.shutdown()
    }
}
