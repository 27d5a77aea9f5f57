import DepartmentKit
import Foundation
import Logging
import ServiceLifecycle

/// Time-driven work of a department (stage time limits, overdue sweeps, demo-mode
/// warehouse steps and carrier scans): calls the rules' `tick` at a fixed interval, in a
/// transaction of its own, and publishes what it emitted through the same outbox.
public final class Ticker: Service {
    private let rules: any DepartmentRules
    private let database: any ServiceDatabase
    private let publisher: OutboxPublisher
    private let writer: OutboxWriter
    private let interval: Duration
    private let logger: Logger
    private let clock: ServiceClock

    public init(rules: any DepartmentRules, database: any ServiceDatabase, publisher: OutboxPublisher, writer: OutboxWriter,
                interval: Duration, logger: Logger, clock: ServiceClock = ServiceClock()) {
        self.clock = clock
        self.rules = rules
        self.database = database
        self.publisher = publisher
        self.writer = writer
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                try await tick(now: clock.now())
            } catch is CancellationError {
                return
            } catch {
                logger.error("timer tick failed; will try again", metadata: ["error": "\(error)"])
            }
            try? await cancelWhenGracefulShutdown { [interval] in try await Task.sleep(for: interval) }
        }
    }

    /// Runs one tick at `now`.
    public func tick(now: Date) async throws {
        let rules = self.rules
        let writer = self.writer
        let emitted = try await database.write { tx in
            let outcome = try rules.tick(state: tx, context: HandlerContext(now: now))
            try writer.enqueue(outcome, cause: nil, now: now, in: tx)
            return outcome
        }
        for note in emitted.logs { logger.log(level: note.level.loggerLevel, "\(note.message)") }
        if !emitted.events.isEmpty { try await publisher.publishPending() }
    }
}
