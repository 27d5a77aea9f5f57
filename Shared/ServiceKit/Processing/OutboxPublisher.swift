import Foundation
import Kafka
import Logging
import Metrics
import ServiceLifecycle

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

    private let firstTopics: Set<String>

    /// `firstTopics` are published (and acknowledged) before the other rows of a round:
    /// the status topic, so that the status feed follows cause and effect.
    public init(database: any ServiceDatabase, producer: KafkaProducer, service: String, logger: Logger,
                firstTopics: Set<String> = [], batchLimit: Int = 1000) {
        self.firstTopics = firstTopics
        self.database = database
        self.producer = producer
        self.logger = logger
        self.batchLimit = batchLimit
        self.published = Counter(label: "orderflow_messages_out_total", dimensions: [("service", service)])
        self.backlogGauge = Gauge(label: "orderflow_outbox_backlog", dimensions: [("service", service)])
    }

    /// Publishes every pending row. Callers that come while a publication runs wait for it
    /// and then publish what is left (an actor alone would let them read and send the same
    /// rows at once, since it is re-entrant at every `await`).
    ///
    /// A failed delivery is retried with backoff: the outbox never drops a message. A
    /// fatal producer error, a closed producer, or graceful shutdown ends the attempt with
    /// an error; the rows stay for the next start, and the batch's offsets are not committed.
    public func publishPending() async throws {
        while let running {
            _ = try? await running.value
            if self.running == running { self.running = nil }
        }
        let publication = Task { try await self.drain() }
        running = publication
        defer { if running == publication { running = nil } }
        try await publication.value
    }

    private var running: Task<Void, any Error>?

    private func drain() async throws {
        var attempt = 0
        while true {
            let rows = try await database.pendingOutbox(limit: batchLimit)
            if rows.isEmpty {
                backlogGauge.record(0)
                return
            }
            do {
                // Status events go out (and are acknowledged) before the events that make
                // other departments act, so the status feed of an order is in causal order:
                // a department's reaction can never land before the status that caused it.
                let (first, rest) = (rows.filter { firstTopics.contains($0.topic) }, rows.filter { !firstTopics.contains($0.topic) })
                for wave in [first, rest] where !wave.isEmpty {
                    _ = try await producer.send(wave.map { row in
                        KafkaOutgoingMessage(topic: row.topic, key: row.key, value: row.value,
                                             headers: row.headers.sorted { $0.key < $1.key }.map { KafkaHeader(key: $0.key, value: Array($0.value.utf8)) })
                    })
                }
                try await database.markPublished(upTo: rows.map(\.sequence))
                published.increment(by: rows.count)
                attempt = 0
            } catch let error as KafkaError where error.code == .fatal || error.code == .shutdown {
                logger.critical("the producer cannot publish any more", metadata: ["error": "\(error)"])
                throw error
            } catch {
                attempt += 1
                let delay = min(5.0, 0.1 * pow(2.0, Double(min(attempt, 6))))
                logger.error("publishing the outbox failed; retrying", metadata: [
                    "error": "\(error)", "outbox.rows": "\(rows.count)", "retry.in_s": "\(delay)",
                ])
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(delay)) }
                if Task.isShuttingDownGracefully { throw CancellationError() }
            }
        }
    }

    /// Records the current backlog for `/metrics`.
    public func refreshBacklogGauge() async {
        if let backlog = try? await database.outboxBacklog() { backlogGauge.record(backlog) }
    }
}
