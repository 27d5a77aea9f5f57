import Foundation
import Kafka
import Logging
import OrderModel
import ServiceKit
import ServiceLifecycle
import TrackingRules

/// Reads `orders.deadletter` (consumer group `<group>-deadletters`) into the store, for
/// `GET /deadletters` and the page. Not through the inbox processor: a dead letter holds
/// someone else's bytes, which must never be dead-lettered again. A letter is recorded once
/// by its position (re-delivery after a crash finds it there), in one transaction per
/// batch, and offsets are committed after that transaction.
final class DeadLetterRecorder: Service {
    private let consumer: KafkaConsumer
    private let database: any ServiceDatabase
    private let logger: Logger

    init(consumer: KafkaConsumer, database: any ServiceDatabase, logger: Logger) {
        self.consumer = consumer
        self.database = database
        self.logger = logger
    }

    /// The consumer and the recorder, for the service group (the consumer must run too).
    static func make(config: ServiceConfig, database: any ServiceDatabase, logger: Logger) throws -> [any Service] {
        let consumer = try KafkaConsumer(
            config: KafkaConsumerConfig(client: OrderFlowService.kafkaConfig(config, role: "deadletters"),
                                        mode: .group(id: config.groupId + "-deadletters"),
                                        topics: [config.topics.name(.deadletter)]),
            logger: logger)
        return [consumer, DeadLetterRecorder(consumer: consumer, database: database, logger: logger)]
    }

    func run() async throws {
        while !Task.isCancelled, !Task.isShuttingDownGracefully {
            guard let batch = try await consumer.poll(maxMessages: 500, maxWait: .milliseconds(200)) else { break }
            guard !batch.isEmpty else { continue }
            let recorded = try await database.write { state in try Self.record(batch, now: Date(), in: state) }
            var next: [KafkaTopicPartition: Int64] = [:]
            for message in batch { next[message.topicPartition] = max(next[message.topicPartition] ?? 0, message.offset + 1) }
            do {
                _ = try await consumer.commit(next, waitForBroker: false)
            } catch let error as KafkaError where error.code != .fatal && error.code != .shutdown {
                logger.warning("dead-letter offset commit failed; it is retried", metadata: ["error": "\(error)"])
            }
            if recorded > 0 { logger.info("recorded dead letters", metadata: ["deadletters.recorded": "\(recorded)"]) }
        }
    }

    /// Records the batch's letters not recorded before; returns how many were new.
    static func record(_ batch: [KafkaMessage], now: Date, in state: any ServiceTransaction) throws -> Int {
        var recorded = 0
        for message in batch {
            var headers: [String: String] = [:]
            for header in message.headers { headers[header.key] = header.value.map { String(decoding: $0, as: UTF8.self) } ?? "" }
            let new = try TrackingStore.recordDeadLetter(at: "\(message.topic)/\(message.partition)/\(message.offset)", in: state) {
                DeadLetterRow(sequence: $0, receivedAt: message.timestamp ?? now, topic: message.topic, partition: message.partition,
                              offset: message.offset, key: message.key, value: message.value, headers: headers)
            }
            if new { recorded += 1 }
        }
        return recorded
    }
}
