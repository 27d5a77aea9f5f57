import DepartmentKit
import Foundation
import GRDB
import Logging
import Metrics
import OrderModel
import ServiceLifecycle

/// Time-driven work of a department (stage time limits, overdue checks, demo-mode
/// warehouse steps and carrier scans): every `interval` it fires the timers the rules
/// scheduled that are due — each in a savepoint of one transaction, the fired timer removed
/// with the rules' writes — and publishes what they emitted through the same outbox.
///
/// Work is proportional to what is due: a tick with nothing due reads one row of the
/// timers' due-time index and writes nothing. When more is due than one tick takes
/// (`limit`), the next tick follows at once.
public final class Ticker: Service {
    private let rules: any DepartmentRules
    private let database: any ServiceDatabase
    private let publisher: OutboxPublisher
    private let writer: OutboxWriter
    private let interval: Duration
    private let limit: Int
    private let logger: Logger
    private let clock: ServiceClock
    private let masterData: MasterDataCopy?
    private let records: RecordCache?

    public init(rules: any DepartmentRules, database: any ServiceDatabase, publisher: OutboxPublisher, writer: OutboxWriter,
                interval: Duration, limit: Int = 1000, logger: Logger, clock: ServiceClock = ServiceClock(),
                masterData: MasterDataCopy? = nil, records: RecordCache? = nil) {
        self.records = records
        self.clock = clock
        self.rules = rules
        self.database = database
        self.publisher = publisher
        self.writer = writer
        self.interval = interval
        self.limit = max(1, limit)
        self.logger = logger
        self.masterData = masterData
    }

    public func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            var fired = 0
            do {
                fired = try await tick(now: clock.now())
            } catch is CancellationError {
                return
            } catch {
                logger.error("timer tick failed; will try again", metadata: ["error": "\(error)"])
            }
            if fired >= limit { continue }
            try? await cancelWhenGracefulShutdown { [interval] in try await Task.sleep(for: interval) }
        }
    }

    /// Runs one tick at `now`; returns how many timers fired.
    @discardableResult
    public func tick(now: Date) async throws -> Int {
        let anyDue = try await database.read { try !$0.dueTimers(at: now, limit: 1).isEmpty }
        guard anyDue else {
            try await deletePublishedWhileIdle()
            return 0
        }
        let rules = self.rules
        let writer = self.writer
        let limit = self.limit
        let transaction = CoreTransaction(database: database, publisher: publisher, masterData: masterData, records: records)
        let (result, ticket) = try await transaction.run { state in
            var result = TickResult()
            let context = HandlerContext(now: now)
            for timer in try state.dueTimers(at: now, limit: limit) {
                result.fired += 1
                try state.cancelTimer(timer.name, key: timer.key)
                do {
                    let (outcome, rows) = try state.isolated {
                        let outcome = try rules.wake(timer, state: state, context: context)
                        return (outcome, try writer.enqueue(outcome, cause: nil, now: now, in: state))
                    }
                    result.outbox += rows
                    result.logs += outcome.logs
                    result.breachedStages += outcome.events.compactMap { ($0.payload as? SLABreached)?.stage }
                } catch let error as DatabaseError {
                    throw error
                } catch {
                    // A rule that cannot act on its timer must not hold back every other
                    // timer: this one is dropped, with the reason in the log.
                    result.logs.append(LogNote(.error, "timer \(timer.name) for \(timer.key) failed and was dropped: \(error)"))
                }
            }
            return result
        }
        for note in result.logs { logger.log(level: note.level.loggerLevel, "\(note.message)") }
        // Counted once committed (stage limits fire from timers only, so here is every breach).
        for stage in result.breachedStages {
            Counter(label: "orderflow_sla_breaches_total", dimensions: [("service", writer.service), ("stage", stage)]).increment()
        }
        try await publisher.publish(result.outbox, ticket: ticket)
        return result.fired
    }

    /// With no batch coming, published rows are deleted here rather than left to the next
    /// batch (so a quiet service does not re-publish them after a restart).
    private func deletePublishedWhileIdle() async throws {
        guard !publisher.publishedRows.isEmpty else { return }
        let published = publisher.publishedRows.take()
        do {
            try await database.write { tx in try tx.deletePublished(published) }
        } catch {
            publisher.publishedRows.restore(published)
            throw error
        }
    }
}

/// What one tick did.
private struct TickResult: Sendable {
    var fired = 0
    var outbox: [OutboxMessage] = []
    var logs: [LogNote] = []
    /// The `stage` of each `order.sla-breached` emitted.
    var breachedStages: [String] = []
}
