import Foundation
import Kafka
import Logging
import Metrics
import ServiceLifecycle
import Synchronization

/// Publishes the outbox: committed rows in order, awaiting the broker's delivery report.
/// Shared by the processing loop, the timer and start-up. An actor, and one publication
/// at a time, so two callers never publish the same rows.
///
/// Rows reach it straight from the transaction that wrote them (`publish(_:)`); the
/// database is read only at start, for rows a crash left (`publishLeftovers()`). Published
/// rows are not deleted in a commit of their own: `publishedRows` hands their sequences to
/// the next transaction, which deletes them with its own work. A crash before that
/// re-publishes them at the next start, with the same event ids, which consumers drop.
public actor OutboxPublisher {
    private let database: any ServiceDatabase
    private let producer: KafkaProducer
    private let logger: Logger
    private let batchLimit: Int
    private let published: Counter
    private let backlogGauge: Gauge
    private let firstTopics: Set<String>

    /// Committed rows not yet acknowledged by the broker, in commit order.
    private var pending: [OutboxMessage] = []
    private var running: Task<Void, any Error>?
    /// Whether the rows a previous run left have been taken into `pending`.
    private var recovered = false
    /// The next commit ticket whose rows may join `pending`; later ones wait in `early`.
    private var nextTicket: UInt64 = 0
    private var early: [UInt64: [OutboxMessage]] = [:]

    /// Sequences of published rows, waiting to be deleted by the next transaction.
    public nonisolated let publishedRows = PublishedRows()

    /// Commit order: a transaction that writes outbox rows takes a ticket as its last step
    /// (inside the database's serialised write), and hands its rows over with it, so rows are
    /// published in the order they were committed even when the inbox loop and the timer
    /// hand them over in the other order.
    public nonisolated let tickets = CommitTickets()

    /// `firstTopics` are published (and acknowledged) before the other rows of a round:
    /// the status topic, so that the status feed follows cause and effect.
    public init(database: any ServiceDatabase, producer: KafkaProducer, service: String, logger: Logger,
                firstTopics: Set<String> = [], batchLimit: Int = 2000) {
        self.firstTopics = firstTopics
        self.database = database
        self.producer = producer
        self.logger = logger
        self.batchLimit = batchLimit
        self.published = Counter(label: "orderflow_messages_out_total", dimensions: [("service", service)])
        self.backlogGauge = Gauge(label: "orderflow_outbox_backlog", dimensions: [("service", service)])
    }

    /// At start: publishes the rows a crash (or a stop before their deletion) left in the
    /// outbox, before anything new is consumed.
    public func publishLeftovers() async throws {
        try await recoverLeftovers()
        try await publishPending()
    }

    /// Takes the rows a previous run left into `pending`, ahead of everything handed over
    /// since (those were committed later). Once.
    private func recoverLeftovers() async throws {
        guard !recovered else { return }
        let stored = try await database.pendingOutbox(limit: Int.max)
        guard !recovered else { return }
        recovered = true
        // Rows committed in this run are in `pending` or already published; skip those.
        let known = Set(pending.map(\.sequence)).union(publishedRows.peek())
        let leftovers = stored.filter { !known.contains($0.sequence) }
        if !leftovers.isEmpty {
            logger.info("publishing outbox rows left by the last run", metadata: ["outbox.rows": "\(leftovers.count)"])
            pending = leftovers.sorted { $0.sequence < $1.sequence } + pending
        }
    }

    /// Publishes `rows`, committed under `ticket`, after the rows of every earlier ticket.
    /// Every ticket taken must come back here once, with no rows if its transaction failed.
    public func publish(_ rows: [OutboxMessage], ticket: UInt64) async throws {
        early[ticket] = rows
        while let ready = early.removeValue(forKey: nextTicket) {
            pending += ready
            nextTicket += 1
        }
        try await recoverLeftovers()
        try await publishPending()
    }

    /// Gives back a ticket whose transaction did not commit.
    public func skip(_ ticket: UInt64) async {
        early[ticket] = []
        while let ready = early.removeValue(forKey: nextTicket) {
            pending += ready
            nextTicket += 1
        }
    }

    /// Publishes every pending row. Callers that come while a publication runs wait for it
    /// and then publish what is left (an actor alone would let them send the same rows at
    /// once, since it is re-entrant at every `await`).
    ///
    /// A failed delivery is retried with backoff: the outbox never drops a message. A
    /// fatal producer error, a closed producer, or graceful shutdown ends the attempt with
    /// an error; the rows stay for the next start, and the batch's offsets are not committed.
    public func publishPending() async throws {
        while let running {
            _ = try? await running.value
            if self.running == running { self.running = nil }
        }
        guard !pending.isEmpty else {
            backlogGauge.record(0)
            return
        }
        let publication = Task { try await self.drain() }
        running = publication
        defer { if running == publication { running = nil } }
        try await publication.value
    }

    private func drain() async throws {
        var attempt = 0
        while !pending.isEmpty {
            let rows = Array(pending.prefix(batchLimit))
            backlogGauge.record(pending.count)
            do {
                // Status events go out (and are acknowledged) before the events that make
                // other departments act, so the status feed of an order is in causal order:
                // a department's reaction can never land before the status that caused it.
                let first = rows.filter { firstTopics.contains($0.topic) }
                let rest = rows.filter { !firstTopics.contains($0.topic) }
                for wave in [first, rest] where !wave.isEmpty {
                    _ = try await producer.send(wave.map(Self.message(for:)))
                }
                // Rows may have joined while sending (and leftovers may have gone in front).
                let sent = Set(rows.map(\.sequence))
                pending.removeAll { sent.contains($0.sequence) }
                publishedRows.add(rows.map(\.sequence))
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
        backlogGauge.record(0)
    }

    static func message(for row: OutboxMessage) -> KafkaOutgoingMessage {
        KafkaOutgoingMessage(topic: row.topic, key: row.key, value: row.value,
                             headers: row.headers.sorted { $0.key < $1.key }.map { KafkaHeader(key: $0.key, value: Array($0.value.utf8)) })
    }

    /// How many committed rows wait for the broker's acknowledgement.
    public var backlog: Int { pending.count }

    /// Records the current backlog for `/metrics`.
    public func refreshBacklogGauge() async {
        backlogGauge.record(pending.count)
    }
}

/// Sequences of outbox rows the broker acknowledged, until a transaction deletes them.
public final class PublishedRows: Sendable {
    private let sequences = Mutex<[Int64]>([])

    /// Adds acknowledged rows.
    public func add(_ published: [Int64]) { sequences.withLock { $0 += published } }

    /// Takes every sequence for a transaction to delete; give them back with `restore` if
    /// that transaction fails.
    public func take() -> [Int64] { sequences.withLock { taken in defer { taken = [] }; return taken } }

    /// Gives back what `take()` returned when the transaction that was to delete them failed.
    public func restore(_ taken: [Int64]) { sequences.withLock { $0 = taken + $0 } }

    /// The sequences waiting, without taking them.
    public func peek() -> [Int64] { sequences.withLock { $0 } }

    /// Whether nothing waits for deletion.
    public var isEmpty: Bool { sequences.withLock { $0.isEmpty } }
}

/// Hands out commit tickets in order (see `OutboxPublisher.tickets`).
public final class CommitTickets: Sendable {
    private let next = Mutex<UInt64>(0)

    /// The next ticket. Call as the last step of a write transaction.
    public func take() -> UInt64 { next.withLock { next in defer { next += 1 }; return next } }
}

/// The ticket a write transaction took, readable by its caller also when the write failed
/// after taking it.
public final class TicketClaim: Sendable {
    private let ticket = Mutex<UInt64?>(nil)
    public init() {}
    public func take(from tickets: CommitTickets) -> UInt64 {
        let taken = tickets.take()
        ticket.withLock { $0 = taken }
        return taken
    }
    public var value: UInt64? { ticket.withLock { $0 } }
}
