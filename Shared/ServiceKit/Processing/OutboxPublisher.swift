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
///
/// **Parking.** A row the broker (or librdkafka) refuses for good — too large, unknown
/// topic, not authorised (`KafkaError.isPermanent`) — is not retried forever: it is moved
/// to the parked rows (`ServiceDatabase.park`), counted (`orderflow_outbox_parked`), logged
/// with the reason, and readiness fails while anything is parked; the other rows go on.
/// So that an order's events keep their order, every later row with the same key (the
/// order id: its status events and the events other departments act on) is parked too,
/// "held" behind it, until an operator re-drives (`redrive(sequence:)`) or discards them:
/// the parked order stands still, the others move. Rows of that key already handed to the
/// producer in the same round when the broker refused the row (a refusal in a delivery
/// report rather than at hand-over) may have gone out ahead of it; the log line says so.
/// A dead letter too large for the broker is sent without its value instead
/// (`DeadLetterHeaders.bodyOmitted`); only if that is refused too is it parked.
public actor OutboxPublisher {
    private let database: any ServiceDatabase
    private let producer: KafkaProducer
    private let logger: Logger
    private let batchLimit: Int
    private let published: Counter
    private let backlogGauge: Gauge
    private let firstTopics: Set<String>
    private let deadLetterTopic: String?
    private let parkedGauge: Gauge
    private let parkedTotal: Counter
    /// Per parked key, the first parked sequence: later rows of the key wait behind it.
    private var parkedKeys: [[UInt8]: Int64] = [:]

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

    /// How many rows are parked (for readiness), kept current by this publisher.
    public nonisolated let parkedCount = ParkedCount()

    /// `firstTopics` are published (and acknowledged) before the other rows of a round:
    /// the status topic, so that the status feed follows cause and effect.
    /// `deadLetterTopic`: rows to it that are too large are sent without their value.
    public init(database: any ServiceDatabase, producer: KafkaProducer, service: String, logger: Logger,
                firstTopics: Set<String> = [], deadLetterTopic: String? = nil, batchLimit: Int = 2000) {
        self.firstTopics = firstTopics
        self.deadLetterTopic = deadLetterTopic
        self.parkedGauge = Gauge(label: "orderflow_outbox_parked", dimensions: [("service", service)])
        self.parkedTotal = Counter(label: "orderflow_outbox_parked_total", dimensions: [("service", service)])
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
        let parked = try await database.parkedSummary()
        guard !recovered else { return }
        recovered = true
        applyParked(parked)
        if parked.count > 0 {
            logger.error("outbox rows are parked from an earlier run; re-drive or discard them (GET /parked)",
                         metadata: ["outbox.parked": "\(parked.count)"])
        }
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
                try await publishRound(rows)
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

    /// Publishes `rows` (the head of `pending`) once: delivered rows are done, rows refused
    /// for good are parked (and later rows of their keys held behind them); a retriable
    /// failure is thrown after the rest is settled, and its rows stay pending.
    private func publishRound(_ rows: [OutboxMessage]) async throws {
        var delivered: [Int64] = []
        var parking: [ParkedRow] = []
        var newlyParkedKeys: [[UInt8]] = []
        var retriable: KafkaError?
        do {
            // Status events go out (and are acknowledged) before the events that make other
            // departments act, so the status feed of an order is in causal order: a
            // department's reaction can never land before the status that caused it.
            let first = rows.filter { firstTopics.contains($0.topic) }
            let rest = rows.filter { !firstTopics.contains($0.topic) }
            for wave in [first, rest] where !wave.isEmpty {
                // Rows of a key that is parked wait behind it, unsent.
                var sendable: [OutboxMessage] = []
                for row in wave {
                    if let key = row.key, let blocking = parkedKeys[key] {
                        parking.append(held(row, behind: blocking))
                    } else {
                        sendable.append(row)
                    }
                }
                let outcomes = try await producer.sendEach(sendable.map(Self.message(for:)))
                for (row, outcome) in zip(sendable, outcomes) {
                    switch outcome {
                    case .delivered:
                        delivered.append(row.sequence)
                    case .failed(let error) where error.isPermanent:
                        if let substitute = try await sendWithoutBody(row, refusedWith: error) {
                            if substitute { delivered.append(row.sequence) }
                            continue
                        }
                        parking.append(ParkedRow(message: row, reason: Self.reasonCode(error), detail: error.message, parkedAt: Date()))
                        if let key = row.key, parkedKeys[key] == nil {
                            parkedKeys[key] = row.sequence
                            newlyParkedKeys.append(key)
                        }
                        logParked(row, error: error, overtakenBy: Self.laterRowsOfKey(row, in: sendable, outcomes: outcomes))
                    case .failed(let error):
                        retriable = retriable ?? error
                    case .held:
                        // An earlier row of its key was refused at hand-over: parked above (its
                        // key is in `parkedKeys`), or sent without its body (then this row
                        // simply stays pending for the next round).
                        if let key = row.key, let blocking = parkedKeys[key] { parking.append(held(row, behind: blocking)) }
                    }
                }
                // A status event not yet out holds back the reactions to it.
                if retriable != nil { break }
            }
            markPublished(delivered)
            try await database.park(parking)
        } catch {
            // What was delivered is out; what was to be parked is still pending (and refused
            // again next round), so its keys are not held yet.
            markPublished(delivered)
            for key in newlyParkedKeys { parkedKeys[key] = nil }
            throw error
        }
        if !parking.isEmpty {
            let parked = Set(parking.map(\.message.sequence))
            pending.removeAll { parked.contains($0.sequence) }
            parkedTotal.increment(by: parking.count)
            try await refreshParked()
        }
        if let retriable { throw retriable }
    }

    /// Rows the broker acknowledged: out of `pending`, on to the next transaction's delete.
    private func markPublished(_ sequences: [Int64]) {
        guard !sequences.isEmpty else { return }
        let done = Set(sequences)
        let before = pending.count
        pending.removeAll { done.contains($0.sequence) }
        guard pending.count < before else { return }  // already marked
        publishedRows.add(sequences)
        published.increment(by: sequences.count)
    }

    /// A row parked behind the parked row `blocking` of its key.
    private func held(_ row: OutboxMessage, behind blocking: Int64) -> ParkedRow {
        logger.warning("outbox row held behind a parked row of the same key", metadata: logMetadata(row).merging([
            "outbox.held_behind": "\(blocking)",
        ]) { $1 })
        return ParkedRow(message: row, reason: ParkedRow.heldReason,
                         detail: "waits behind parked outbox row \(blocking) of the same key", parkedAt: Date(), heldBehind: blocking)
    }

    /// For a dead letter refused as too large: sends it without its value, with headers
    /// saying so (where the original sits is already in its `source.*` headers). Returns
    /// nil when `row` is not such a dead letter, else whether the substitute was delivered
    /// (false: refused for good as well, then the original is parked).
    private func sendWithoutBody(_ row: OutboxMessage, refusedWith error: KafkaError) async throws -> Bool? {
        guard row.topic == deadLetterTopic, error.isMessageTooLarge, let value = row.value else { return nil }
        var substitute = row
        substitute.value = nil
        substitute.headers[DeadLetterHeaders.bodyOmitted] = "too_large"
        substitute.headers[DeadLetterHeaders.bodyBytes] = String(value.count)
        let outcome = try await producer.sendEach([Self.message(for: substitute)]).first
        guard case .delivered? = outcome else { return false }
        logger.warning("dead letter too large for the broker: sent without its value", metadata: logMetadata(row).merging([
            "deadletter.bytes": "\(value.count)", "error": "\(error)",
        ]) { $1 })
        return true
    }

    /// The rows of `row`'s key that came after it in the same hand-over and were delivered
    /// anyway (a refusal reported by the broker cannot stop them).
    private static func laterRowsOfKey(_ row: OutboxMessage, in rows: [OutboxMessage], outcomes: [KafkaSendOutcome]) -> Int {
        guard let key = row.key, let index = rows.firstIndex(where: { $0.sequence == row.sequence }) else { return 0 }
        return zip(rows, outcomes).dropFirst(index + 1).filter { pair in
            if case .delivered = pair.1 { return pair.0.key == key }
            return false
        }.count
    }

    private func logParked(_ row: OutboxMessage, error: KafkaError, overtakenBy: Int) {
        var metadata = logMetadata(row)
        metadata["park.reason"] = "\(Self.reasonCode(error))"
        metadata["error"] = "\(error)"
        if overtakenBy > 0 { metadata["outbox.overtaken_by"] = "\(overtakenBy)" }
        logger.error("outbox row parked: the broker refuses it for good; later rows of its key wait behind it, the rest goes on",
                     metadata: metadata)
    }

    private func logMetadata(_ row: OutboxMessage) -> Logger.Metadata {
        var metadata: Logger.Metadata = [
            "outbox.sequence": "\(row.sequence)", "kafka.topic": "\(row.topic)",
            "kafka.key": "\(row.key.map { String(decoding: $0.prefix(200), as: UTF8.self) } ?? "-")",
            "outbox.bytes": "\(row.value?.count ?? 0)",
        ]
        // Only for rows that are logged (refused, parked): the id and type are in the envelope.
        if let event = CloudEventsKafka.idAndType(ofEnvelope: row.value) {
            metadata["event.id"] = "\(event.id)"
            metadata["event.type"] = "\(event.type)"
        }
        return metadata
    }

    /// The parked reason for a permanent error: librdkafka's error name without its leading
    /// underscore (`MSG_SIZE_TOO_LARGE`, `UNKNOWN_TOPIC`).
    static func reasonCode(_ error: KafkaError) -> String {
        guard let name = error.rdKafkaName else { return "refused" }
        return name.hasPrefix("_") ? String(name.dropFirst()) : name
    }

    // MARK: Parked rows (the operator's side)

    /// Moves the parked rows back into the outbox and publishes them, in sequence order,
    /// before anything else pending: `sequence` re-drives that row and every other parked
    /// row of its key; nil re-drives all. Each row keeps its event id, so a consumer that
    /// already saw one (after a crash between publishing and deleting it) drops the repeat.
    /// Rows refused again are parked again. Returns the re-driven sequences and those parked again.
    public func redrive(sequence: Int64?) async throws -> (redriven: [Int64], parkedAgain: [Int64]) {
        try await recoverLeftovers()
        let rows = try await exclusively { try await self.takeBackParked(sequence: sequence) }
        try await publishPending()
        let stillParked = Set(try await database.parkedRows(limit: Int.max).map(\.message.sequence))
        let sequences = rows.map(\.sequence)
        return (sequences, sequences.filter(stillParked.contains))
    }

    /// Deletes one parked row for good (the operator gave up on it); rows held behind it
    /// stay parked until re-driven. False when no row has that sequence.
    public func discard(sequence: Int64) async throws -> Bool {
        try await recoverLeftovers()
        return try await exclusively {
            let discarded = try await self.database.discardParked(sequence: sequence)
            if discarded { self.logger.warning("parked outbox row discarded by an operator", metadata: ["outbox.sequence": "\(sequence)"]) }
            try await self.refreshParked()
            return discarded
        }
    }

    private func takeBackParked(sequence: Int64?) async throws -> [OutboxMessage] {
        let rows = try await database.unpark(sequence: sequence)
        try await refreshParked()
        // Older than anything of their keys that is pending: they go first.
        let taken = Set(rows.map(\.sequence))
        pending = rows + pending.filter { !taken.contains($0.sequence) }
        if !rows.isEmpty { logger.notice("parked outbox rows re-driven by an operator", metadata: ["outbox.rows": "\(rows.count)"]) }
        return rows
    }

    private func refreshParked() async throws {
        applyParked(try await database.parkedSummary())
    }

    private func applyParked(_ summary: ParkedSummary) {
        parkedKeys = summary.firstSequenceByKey
        parkedCount.set(summary.count)
        parkedGauge.record(summary.count)
    }

    /// Runs `body` while no publication runs, and holds further ones back until it is done.
    private func exclusively<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
        while let running {
            _ = try? await running.value
            if self.running == running { self.running = nil }
        }
        let work = Task { try await body() }
        let slot = Task<Void, any Error> { _ = try await work.value }
        running = slot
        defer { if running == slot { running = nil } }
        return try await work.value
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

/// How many outbox rows are parked, readable without the publisher's actor (readiness).
public final class ParkedCount: Sendable {
    private let count = Mutex(0)
    public func set(_ value: Int) { count.withLock { $0 = value } }
    public var value: Int { count.withLock { $0 } }
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
