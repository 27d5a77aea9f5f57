import Foundation
import Kafka
import Logging
@testable import ServiceKit
import Synchronization
import Testing
import TestSupport

/// The sole-member check through the real local broker: a member that was alone holds its
/// inbox while another member is in the group, loses nothing meanwhile (its partitions are
/// paused, not drained), and goes on once the other has left; a member that never gets the
/// whole topic is refused.
@Suite(.serialized) struct SoleMemberGuardTests {
    /// Whether the second member is in the group, shared with its task.
    private final class PresenceFlag: Sendable {
        let value = Atomic<Bool>(false)
    }

    private static var logger: Logger {
        var logger = Logger(label: "test.sole-member")
        logger.logLevel = .warning
        return logger
    }

    @Test(arguments: ["range,roundrobin", "cooperative-sticky"])
    func whileAnotherMemberIsInTheGroupNothingIsHandedOutAndNothingIsLostAfterItLeaves(strategy: String) async throws {
        let broker = try await LocalBroker.shared()
        let topic = broker.uniqueTopic("sole")
        let admin = try KafkaAdmin(client: broker.clientConfig(), logger: Self.logger)
        _ = try await admin.createTopics([KafkaTopicSpec(name: topic, partitions: 2)], timeout: .seconds(10))
        await admin.close()
        let group = LocalBroker.uniqueName("sole-group")
        let options = ["partition.assignment.strategy": strategy]
        let first = try KafkaConsumer(client: broker.clientConfig(clientId: "first", options: options), mode: .group(id: group),
                                      topics: [topic], logger: Self.logger)
        let soleMember = SoleMemberGuard(consumer: first, group: group, sessionTimeout: .seconds(6), logger: Self.logger)
        let producer = try KafkaProducer(client: broker.clientConfig(), logger: Self.logger)
        func send(_ prefix: String) async throws -> Set<String> {
            let values = (0..<12).map { "\(prefix)\($0)" }
            _ = try await producer.send(values.map { KafkaOutgoingMessage(topic: topic, key: Array($0.utf8), value: Array($0.utf8)) })
            return Set(values)
        }
        let secondPresent = PresenceFlag()
        var received: [String] = []
        var handedOutWhileNotAlone: [String] = []
        /// Polls `first` through the guard (committing like the inbox processor) until `wanted` has arrived.
        func receive(_ wanted: Set<String>) async throws {
            // Two rebalances (the second member joining, then leaving) can take a minute each
            // on the local broker while the whole suite runs.
            let deadline = ContinuousClock.now + .seconds(180)
            while !wanted.isSubset(of: Set(received)), ContinuousClock.now < deadline {
                let polled = try await first.poll(maxMessages: 50, maxWait: .milliseconds(50)) ?? []
                let batch = try await soleMember.admit(polled)
                if secondPresent.value.load(ordering: .relaxed) { handedOutWhileNotAlone += batch.compactMap(\.valueString) }
                received += batch.compactMap(\.valueString)
                try await first.commit(InboxProcessor.nextOffsets(of: batch))
            }
        }

        try await receive(try await send("a"))  // alone: admitted at once
        let second = try KafkaConsumer(client: broker.clientConfig(clientId: "second", options: options), mode: .group(id: group),
                                       topics: [topic], logger: Self.logger)
        // The second member polls (that drives its joining) until it has partitions, then the
        // "b" messages are sent; it stays 3 s (well inside the first member's wait), then leaves.
        // It never commits, so the first member gets its partitions back from the last commit.
        let later = Set((0..<12).map { "b\($0)" })
        let secondMember = Task {
            // The local broker can take tens of seconds to rebalance while the whole suite runs.
            let deadline = ContinuousClock.now + .seconds(90)
            while second.assignment.isEmpty, ContinuousClock.now < deadline { _ = try await second.poll(maxMessages: 1, maxWait: .milliseconds(50)) }
            guard !second.assignment.isEmpty else {
                // Leave the group, so the first member (which holds while another member is
                // in it) goes on and the test fails on the expectation below instead of hanging.
                await second.close()
                return false
            }
            secondPresent.value.store(true, ordering: .relaxed)
            _ = try await send("b")
            let stay = ContinuousClock.now + .seconds(3)
            while ContinuousClock.now < stay { _ = try await second.poll(maxMessages: 1, maxWait: .milliseconds(50)) }
            secondPresent.value.store(false, ordering: .relaxed)
            await second.close()
            return true
        }
        try await receive(later)
        #expect(try await secondMember.value, "the second member joined")

        #expect(later.isSubset(of: Set(received)), "nothing sent while the second member was in the group is lost: missing \(later.subtracting(received).sorted())")
        #expect(handedOutWhileNotAlone.isEmpty, "handed out while another member was in the group: \(handedOutWhileNotAlone)")
        #expect(first.assignment.count == 2, "the first member has every partition back")
        await first.close()
        await producer.shutdown()
    }

    @Test func aMemberThatNeverGetsTheWholeTopicIsRefused() async throws {
        let broker = try await LocalBroker.shared()
        let topic = broker.uniqueTopic("sole-refused")
        let admin = try KafkaAdmin(client: broker.clientConfig(), logger: Self.logger)
        _ = try await admin.createTopics([KafkaTopicSpec(name: topic, partitions: 2)], timeout: .seconds(10))
        await admin.close()
        let group = LocalBroker.uniqueName("sole-group")
        let established = try KafkaConsumer(client: broker.clientConfig(clientId: "established"), mode: .group(id: group), topics: [topic],
                                            logger: Self.logger)
        let holding = Task { for try await _ in established.batches(maxMessages: 10, maxWait: .milliseconds(50)) {} }
        let joinDeadline = ContinuousClock.now + .seconds(30)
        while established.assignment.count < 2, ContinuousClock.now < joinDeadline { try await Task.sleep(for: .milliseconds(100)) }

        let newcomer = try KafkaConsumer(client: broker.clientConfig(clientId: "newcomer"), mode: .group(id: group), topics: [topic],
                                         logger: Self.logger)
        let soleMember = SoleMemberGuard(consumer: newcomer, group: group, sessionTimeout: .seconds(2), margin: .seconds(1), logger: Self.logger)
        var refusal: SecondReplicaRefused?
        let deadline = ContinuousClock.now + .seconds(60)
        while refusal == nil, ContinuousClock.now < deadline {
            do { _ = try await soleMember.admit(try await newcomer.poll(maxMessages: 10, maxWait: .milliseconds(50)) ?? []) }
            catch let error as SecondReplicaRefused { refusal = error }
        }
        let message = refusal.map { "\($0)" } ?? ""
        #expect(message.contains("another member is in consumer group \(group)"), "refused: \(message)")
        #expect(message.contains("assigned 1 of the 2 partitions"), "\(message)")
        #expect(message.contains("The SQLite backend holds one replica's state"), "\(message)")
        await newcomer.close()
        holding.cancel()
        await established.close()
    }
}
