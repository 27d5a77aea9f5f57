import DepartmentKit
import Foundation
import GRDB
import Kafka
import Logging
import Metrics
import OrderModel
import ServiceLifecycle

/// The heart of every service: consumes the department's inbox topic in batches and, per
/// batch,
/// 1. reads each message (unreadable → dead letter, counted as processed);
/// 2. in ONE database transaction: skips event ids already in the inbox, runs the rules,
///    stores state changes, the inbox rows and the outgoing events (outbox);
/// 3. publishes the outbox and waits for the broker;
/// 4. commits the consumer offsets.
/// A crash between any two steps leads to re-delivery (removed by the inbox) or
/// re-publication of the same event ids — never to a lost or doubled effect.
public final class InboxProcessor: Service {
    public struct Settings: Sendable {
        public var maxBatch: Int
        public var maxWait: Duration
        public init(maxBatch: Int = 500, maxWait: Duration = .milliseconds(50)) {
            self.maxBatch = maxBatch
            self.maxWait = maxWait
        }
    }

    private let rules: any DepartmentRules
    private let consumer: KafkaConsumer
    private let database: any ServiceDatabase
    private let publisher: OutboxPublisher
    private let decoder: InboxDecoder
    private let writer: OutboxWriter
    private let settings: Settings
    private let crashPoints: CrashPoints
    private let readiness: Readiness
    private let logger: Logger
    private let metrics: ProcessingMetrics
    private let clock: ServiceClock
    private let progress: ConsumerProgress
    private let masterData: MasterDataCopy?
    private let records: RecordCache?
    private let soleMember: SoleMemberGuard?

    /// `masterData`: the in-memory copy the rules read products and customers from (nil for
    /// a department without master data). `soleMember`: when set, a batch is only processed
    /// while this member holds every inbox partition (SQLite: one replica per service).
    public init(rules: any DepartmentRules, consumer: KafkaConsumer, database: any ServiceDatabase, publisher: OutboxPublisher,
                topics: TopicNames, settings: Settings, crashPoints: CrashPoints, readiness: Readiness, logger: Logger,
                clock: ServiceClock = ServiceClock(), progress: ConsumerProgress = ConsumerProgress(),
                masterData: MasterDataCopy? = nil, records: RecordCache? = nil, soleMember: SoleMemberGuard? = nil) {
        self.soleMember = soleMember
        self.masterData = masterData
        self.records = records
        self.clock = clock
        self.progress = progress
        self.rules = rules
        self.consumer = consumer
        self.database = database
        self.publisher = publisher
        self.decoder = InboxDecoder(topics: topics)
        self.writer = OutboxWriter(service: rules.department, topics: topics)
        self.settings = settings
        self.crashPoints = crashPoints
        self.readiness = readiness
        self.logger = logger
        self.metrics = ProcessingMetrics(service: rules.department)
    }

    public func run() async throws {
        // Rows a crash left unsent go out before anything new comes in.
        try await publisher.publishLeftovers()
        // Orders are not judged against a partial copy of master data.
        await cancelWhenGracefulShutdown { [readiness] in await readiness.waitForMasterData() }
        guard !Task.isCancelled, !Task.isShuttingDownGracefully else { return }
        logger.info("consuming the inbox")
        // Polls, not `batches`: empty polls too go past the sole-member check, so a second
        // replica whose partitions have nothing new is refused all the same.
        while !Task.isCancelled, !Task.isShuttingDownGracefully {
            guard let polled = try await consumer.poll(maxMessages: settings.maxBatch, maxWait: settings.maxWait) else { break }
            let batch = try await soleMember?.admit(polled) ?? polled
            guard !batch.isEmpty else { continue }
            readiness.markConsuming()
            try await process(batch)
        }
        logger.info("inbox processing stopped")
    }

    /// Processes one batch end to end (steps 1–4 above).
    func process(_ batch: [KafkaMessage]) async throws {
        let started = ContinuousClock.now
        let now = clock.now()
        let items = batch.map { decoder.decode($0, receivedAt: now) }
        let rules = self.rules
        let writer = self.writer
        let transaction = CoreTransaction(database: database, publisher: publisher, masterData: masterData, records: records)
        let (report, ticket) = try await transaction.run { state in
            var report = BatchReport()
            for (message, item) in zip(batch, items) {
                switch item {
                case .deadLetter(let reason):
                    // Dead letters are de-duplicated by position and content, so a
                    // re-delivered bad message is not dead-lettered twice, and a new one at a
                    // position used before (topic re-created) still is.
                    guard try state.markProcessedIfNew(MessageIdentity.deadLetter(message), at: now, position: message.inboxPosition)
                    else { continue }
                    report.outbox.append(try writer.enqueueDeadLetter(message, reason: reason, in: state))
                    report.deadLetters.append((message, reason))
                case .event(let event):
                    guard try state.markProcessedIfNew(event.id, at: now, position: message.inboxPosition) else {
                        report.duplicates += 1
                        continue
                    }
                    guard rules.handledEventTypes.contains(event.type) else {
                        // A known event on the wrong inbox (a misrouted sender): nobody here
                        // acts on it, so it is dead-lettered with the reason, not dropped.
                        let reason = DeadLetterReason(code: "unexpected_event_type",
                                                      detail: "\(event.type) is not acted on by \(rules.department); it belongs on another topic")
                        report.outbox.append(try writer.enqueueDeadLetter(message, reason: reason, in: state))
                        report.deadLetters.append((message, reason))
                        continue
                    }
                    do {
                        let (outcome, rows) = try state.isolated {
                            let outcome = try rules.handle(event, state: state, context: HandlerContext(now: now))
                            return (outcome, try writer.enqueue(outcome, cause: event, now: now, in: state))
                        }
                        report.handled += 1
                        report.emitted += outcome.events.count
                        report.outbox += rows
                        report.notes += outcome.logs.map { (event, $0) }
                    } catch let error as DatabaseError {
                        // The database failed, not the rules: the whole batch fails and is
                        // delivered again; nothing is dead-lettered for it.
                        throw error
                    } catch {
                        // The rules' writes for this event were rolled back; the event goes
                        // to the dead letter so the partition moves on (with the rules' own
                        // reason code when they gave one, e.g. intake's `too_large`).
                        let reason = DeadLetterReason(code: (error as? RuleViolation)?.code ?? "handler_error", detail: "\(error)")
                        report.outbox.append(try writer.enqueueDeadLetter(message, reason: reason, in: state))
                        report.deadLetters.append((message, reason))
                    }
                }
            }
            return report
        }
        crashPoints.pass(.afterDatabaseCommit)
        try await publisher.publish(report.outbox, ticket: ticket)
        crashPoints.pass(.afterPublish)
        do {
            // Asynchronous: the effects are committed and published, and the inbox makes a
            // redelivery of these messages harmless, so the loop does not wait for the
            // group coordinator. A refused commit is kept and retried (by the next commit, or
            // by the consumer while the partition is idle) until it succeeds.
            progress.committed(try await consumer.commit(Self.nextOffsets(of: batch), waitForBroker: false))
        } catch let error as KafkaError where error.code != .fatal && error.code != .shutdown {
            // A rebalance or coordinator change can refuse a commit; the consumer keeps these
            // offsets and retries them, and what is delivered again the inbox drops.
            logger.warning("offset commit failed; it is retried until it succeeds", metadata: ["error": "\(error)"])
        }

        log(report)
        metrics.record(batchSize: batch.count, report: report, duration: ContinuousClock.now - started)
    }

    /// The offsets to commit: per partition, one past the last message of the batch.
    static func nextOffsets(of batch: [KafkaMessage]) -> [KafkaTopicPartition: Int64] {
        var offsets: [KafkaTopicPartition: Int64] = [:]
        for message in batch {
            let partition = KafkaTopicPartition(topic: message.topic, partition: message.partition)
            offsets[partition] = max(offsets[partition] ?? 0, message.offset + 1)
        }
        return offsets
    }

    private func log(_ report: BatchReport) {
        for (message, reason) in report.deadLetters {
            logger.warning("message sent to the dead letter", metadata: [
                "deadletter.reason": "\(reason.code)", "deadletter.detail": "\(reason.detail)",
                "kafka.topic": "\(message.topic)", "kafka.partition": "\(message.partition)", "kafka.offset": "\(message.offset)",
            ])
        }
        for (event, note) in report.notes {
            var metadata: Logger.Metadata = ["event.id": "\(event.id)", "event.type": "\(event.type)"]
            if let subject = event.subject { metadata["order.id"] = "\(subject)" }
            logger.log(level: note.level.loggerLevel, "\(note.message)", metadata: metadata)
        }
        if report.duplicates > 0 {
            logger.info("skipped events already processed", metadata: ["events.duplicate": "\(report.duplicates)"])
        }
    }
}

/// What one batch did, for logs and metrics.
struct BatchReport: Sendable {
    var handled = 0
    var emitted = 0
    var duplicates = 0
    var deadLetters: [(KafkaMessage, DeadLetterReason)] = []
    var notes: [(InboundEvent, LogNote)] = []
    /// The outbox rows the batch wrote, to publish after commit.
    var outbox: [OutboxMessage] = []
}

/// The processing loop's metrics (Prometheus names in docs/operations.md).
struct ProcessingMetrics: Sendable {
    let messagesIn: Counter
    let deadLetters: Counter
    let duplicates: Counter
    let eventsEmitted: Counter
    let batchSize: Recorder
    let batchLatency: Metrics.Timer

    init(service: String) {
        let dimensions = [("service", service)]
        messagesIn = Counter(label: "orderflow_messages_in_total", dimensions: dimensions)
        deadLetters = Counter(label: "orderflow_dead_letters_total", dimensions: dimensions)
        duplicates = Counter(label: "orderflow_duplicates_skipped_total", dimensions: dimensions)
        eventsEmitted = Counter(label: "orderflow_events_emitted_total", dimensions: dimensions)
        batchSize = Recorder(label: "orderflow_batch_size", dimensions: dimensions, aggregate: true)
        batchLatency = Metrics.Timer(label: "orderflow_batch_duration_seconds", dimensions: dimensions, preferredDisplayUnit: .seconds)
    }

    func record(batchSize size: Int, report: BatchReport, duration: Duration) {
        messagesIn.increment(by: size)
        if !report.deadLetters.isEmpty { deadLetters.increment(by: report.deadLetters.count) }
        if report.duplicates > 0 { duplicates.increment(by: report.duplicates) }
        eventsEmitted.increment(by: report.emitted)
        batchSize.record(size)
        batchLatency.recordNanoseconds(duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000)
    }
}

extension LogNote.Level {
    var loggerLevel: Logger.Level {
        switch self {
        case .debug: .debug
        case .info: .info
        case .notice: .notice
        case .warning: .warning
        case .error: .error
        }
    }
}
