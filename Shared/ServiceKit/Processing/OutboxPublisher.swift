import Foundation
import Kafka
import Logging
import Metrics

/// Publishes the outbox: unsent rows in order, awaiting the broker's delivery report,
/// then removes them. Shared by the processing loop, the timer and start-up (rows left
/// by a crash are published before anything new is consumed). An actor, so two callers
/// never publish the same rows at once.
public actor OutboxPublisher {
    private let database: any ServiceDatabase
    private let producer: KafkaProducer
    private let logger: Logger
    private let batchLimit: Int
    private let published: Counter
    private let backlogGauge: Gauge

    public init(database: any ServiceDatabase, producer: KafkaProducer, service: String, logger: Logger, batchLimit: Int = 1000) {
        self.database = database
        self.producer = producer
        self.logger = logger
        self.batchLimit = batchLimit
        self.published = Counter(label: "orderflow_messages_out_total", dimensions: [("service", service)])
        self.backlogGauge = Gauge(label: "orderflow_outbox_backlog", dimensions: [("service", service)])
    }

    /// Publishes every pending row. A failed delivery is retried with backoff until it
    /// succeeds or the task is cancelled (then the rows stay for the next start): the
    /// outbox never drops a message.
    public func publishPending() async throws {
        var attempt = 0
        while true {
            let rows = try await database.pendingOutbox(limit: batchLimit)
            if rows.isEmpty {
                backlogGauge.record(0)
                return
            }
            do {
                _ = try await producer.send(rows.map { row in
                    KafkaOutgoingMessage(topic: row.topic, key: row.key, value: row.value,
                                         headers: row.headers.sorted { $0.key < $1.key }.map { KafkaHeader(key: $0.key, value: Array($0.value.utf8)) })
                })
                try await database.markPublished(upTo: rows.map(\.sequence))
                published.increment(by: rows.count)
                attempt = 0
            } catch {
                attempt += 1
                let delay = min(5.0, 0.1 * pow(2.0, Double(min(attempt, 6))))
                logger.error("publishing the outbox failed; retrying", metadata: [
                    "error": "\(error)", "outbox.rows": "\(rows.count)", "retry.in_s": "\(delay)",
                ])
                try await Task.sleep(for: .seconds(delay))
            }
        }
    }

    /// Records the current backlog for `/metrics`.
    public func refreshBacklogGauge() async {
        if let backlog = try? await database.outboxBacklog() { backlogGauge.record(backlog) }
    }
}
