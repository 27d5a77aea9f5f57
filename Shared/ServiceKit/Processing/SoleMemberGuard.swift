import Foundation
import Kafka
import Logging
import ServiceLifecycle
import Synchronization

/// Refuses to process the inbox while another member is in the service's consumer group: a
/// second replica on another machine has its own SQLite file, so the database lock cannot see
/// it, but it shares the group. A member that is assigned fewer partitions than the inbox
/// topic has is not alone.
///
/// A partial assignment is not refused at once: after a crash and a quick restart the dead
/// process's member stays in the group until its session times out. So the batch is held
/// (not processed), the assigned partitions are paused, and polling goes on (rebalances only
/// progress while polling) until the assignment is full, then the held batch is processed.
/// If it stays partial for `sessionTimeout + margin`, a member that never held every
/// partition (the newcomer) refuses with `SecondReplicaRefused` (the service exits non-zero).
/// A member that already held every partition (the first replica, when a second one joins)
/// never refuses itself: it holds until it has every partition again, which it gets once the
/// newcomer has been refused and left (a slow rebalance must not stop the healthy replica).
public final class SoleMemberGuard: Sendable {
    private struct State {
        /// The assignment last seen to cover every partition of the inbox topic.
        var verified: Set<KafkaTopicPartition>?
        var everAlone = false
        var holding = false
    }

    private let consumer: KafkaConsumer
    private let group: String
    private let grace: Duration
    private let logger: Logger
    private let state = Mutex(State())

    /// `sessionTimeout`: the consumer's `session.timeout.ms`; `margin`: added to it for the
    /// rebalance that follows a dead member's expiry.
    public init(consumer: KafkaConsumer, group: String, sessionTimeout: Duration, margin: Duration = .seconds(5), logger: Logger) {
        self.consumer = consumer
        self.group = group
        self.grace = sessionTimeout + margin
        self.logger = logger
    }

    /// Whether the inbox is held now (another member is in the group): `/ready` says so.
    public var isHolding: Bool { state.withLock { $0.holding } }

    /// Whether `assigned` covers every partition in `all` (pure).
    static func isAlone(assigned: Set<KafkaTopicPartition>, all: Set<KafkaTopicPartition>) -> Bool {
        assigned.isSuperset(of: all)
    }

    /// The batch to process once this member holds every partition of the inbox topic: `batch`
    /// (of one poll, possibly empty: the check runs on every poll, so that a member is judged
    /// even when its partitions have nothing new), plus anything a poll handed out while
    /// waiting; empty when the consumer closed or the service is shutting down meanwhile.
    /// - Throws: `SecondReplicaRefused` when the assignment stays partial for the grace time.
    public func admit(_ batch: [KafkaMessage]) async throws -> [KafkaMessage] {
        var assigned = consumer.assignment
        if state.withLock({ $0.verified == assigned }) { return batch }
        // Not in a group generation yet (or between an EAGER revoke and the next assign).
        if assigned.isEmpty, !consumer.isJoined { return batch }
        var all = try await allPartitions()
        if all.isEmpty { return batch }  // not known this time: asked again with the next batch
        if Self.isAlone(assigned: assigned, all: all) {
            verified(assigned)
            return batch
        }
        let everAlone = state.withLock { $0.everAlone }
        let wait = grace
        logger.warning("another member is in the consumer group: holding the inbox until it leaves or its session times out", metadata: [
            "kafka.group": "\(group)", "partitions.assigned": "\(assigned.count)", "partitions.total": "\(all.count)",
            "wait_s": everAlone ? "until it has left" : "\(wait.components.seconds)",
        ])
        state.withLock { $0.holding = true }
        defer { state.withLock { $0.holding = false } }
        var held = batch
        var paused: Set<KafkaTopicPartition>?
        let deadline = ContinuousClock.now + wait
        while everAlone || ContinuousClock.now < deadline {
            if Task.isCancelled || Task.isShuttingDownGracefully { return [] }
            // Pause what is assigned now (again after every rebalance: a new assignment may
            // come unpaused), so polls serve the group without handing out more messages.
            if paused != assigned {
                try await consumer.setPaused(true, assigned)
                paused = assigned
            }
            guard let polled = try await consumer.poll(maxMessages: 1, maxWait: .milliseconds(200)) else { return [] }
            held += polled
            assigned = consumer.assignment
            if assigned.count >= all.count {
                let current = try await allPartitions()
                if !current.isEmpty { all = current }  // a failed look-up does not end the wait
                if !current.isEmpty, Self.isAlone(assigned: assigned, all: all) {
                    try await consumer.setPaused(false, assigned)
                    verified(assigned)
                    logger.info("this member holds every partition again: processing the inbox", metadata: ["kafka.group": "\(group)"])
                    return held.filter { assigned.contains(KafkaTopicPartition(topic: $0.topic, partition: $0.partition)) }
                }
            }
        }
        let refusal = SecondReplicaRefused(
            "another member is in consumer group \(group): this one is assigned \(assigned.count) of the \(all.count) partitions "
            + "of its inbox after waiting \(wait.components.seconds) s for the other member to leave or time out")
        logger.error("\(refusal)")
        throw refusal
    }

    private func verified(_ assignment: Set<KafkaTopicPartition>) {
        state.withLock { state in
            state.verified = assignment
            state.everAlone = true
        }
    }

    /// Every partition of the inbox topic (the keys of the consumer's watermark query); empty
    /// when the topic's metadata is not available.
    private func allPartitions() async throws -> Set<KafkaTopicPartition> {
        do {
            return Set(try await consumer.highWatermarks().keys)
        } catch let error as KafkaError where error.code != .shutdown && error.code != .fatal {
            logger.warning("could not list the inbox topic's partitions: not checking for other group members this time",
                           metadata: ["error": "\(error)"])
            return []
        }
    }
}

extension KafkaClientConfig {
    /// The consumer's group session timeout: `session.timeout.ms` of the user's options, else
    /// of the profile, else librdkafka's default (45 s).
    var sessionTimeout: Duration {
        let configured = options["session.timeout.ms"] ?? profileOptions["session.timeout.ms"]
        return .milliseconds(configured.flatMap { Int($0) } ?? 45_000)
    }
}
