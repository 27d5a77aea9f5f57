import ArgumentParser
import DepartmentKit
import Foundation
import Hummingbird
import Kafka
import Logging
import Metrics
import OrderModel
import Prometheus
import ServiceLifecycle

/// Builds and runs one department service: database, Kafka clients, master-data copy,
/// inbox processing, timer and HTTP endpoints, as one `ServiceGroup` that stops
/// gracefully on SIGTERM/SIGINT (finish the batch, commit, flush, exit 0).
public enum OrderFlowService {
    /// Sets up logging (to standard error, as `format` says) and metrics for the process
    /// (call once, from `main`, never in tests) and returns the Prometheus registry
    /// `/metrics` serves.
    public static func bootstrapObservability(level: Logger.Level, format: LogFormat = .text,
                                              service: String) -> PrometheusCollectorRegistry {
        switch format {
        case .text:
            LoggingSystem.bootstrap { label in
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            }
        case .json:
            LoggingSystem.bootstrap { label in JSONLogHandler(label: label, service: service, level: level) }
        }
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return registry
    }

    /// The librdkafka settings for a service's clients (`KafkaSettings.clientConfig`).
    public static func kafkaConfig(_ config: ServiceConfig, role: String) -> KafkaClientConfig {
        var client = config.kafkaSettings.clientConfig(bootstrapServers: config.bootstrapServers,
                                                       clientId: "orderflow-\(config.identity.name)-\(role)")
        if role == "masterdata", config.kafkaProfile == .local {
            // The local broker holds every fetch for the full wait: a short one makes an
            // idle reader ask a hundred times a second. Master data changes rarely; a
            // quarter of a second to see a change is plenty. (A profile option: a user's
            // fetch.wait.max.ms still wins.)
            client.profileOptions["fetch.wait.max.ms"] = "250"
        }
        return client
    }

    /// Builds the service group for `rules` (tests call this too).
    public static func build(rules: any DepartmentRules, config: ServiceConfig, registry: PrometheusCollectorRegistry,
                             extraRoutes: (any ServiceDatabase) -> [OpsHTTPServer.ExtraRoute] = { _ in [] },
                             additions: (ServiceAdditions.Context) throws -> ServiceAdditions = { _ in ServiceAdditions() },
                             logger: Logger) throws -> ServiceGroup {
        try Librdkafka.checkRuntimeVersion()
        let identity = config.identity
        let topics = config.topics
        var logger = logger
        logger[metadataKey: "service"] = "\(identity.name)"

        let database = try SQLiteServiceDatabase(path: config.databasePath)
        let producer = try KafkaProducer(client: kafkaConfig(config, role: "producer"), logger: logger)
        let consumerClient = kafkaConfig(config, role: "consumer")
        let consumer = try KafkaConsumer(
            config: KafkaConsumerConfig(client: consumerClient, mode: .group(id: config.groupId),
                                        topics: [topics.name(identity.inbox)]),
            logger: logger)
        // SQLite holds one replica's state: a second member of the group is refused too.
        let soleMember = SoleMemberGuard(consumer: consumer, group: config.groupId,
                                         sessionTimeout: consumerClient.sessionTimeout, logger: logger)
        let publisher = OutboxPublisher(database: database, producer: producer, service: identity.name, logger: logger,
                                        firstTopics: [topics.name(.status)], deadLetterTopic: topics.name(.deadletter))
        let parked = publisher.parkedCount
        let readiness = Readiness(needsMasterData: identity.needsMasterData, consumer: { consumer.health },
                                  producer: { producer.health }, parked: { parked.value },
                                  holding: { soleMember.isHolding }) { consumer.isJoined }
        readiness.markDatabaseOpen()
        let writer = OutboxWriter(service: identity.name, topics: topics)
        let clock = ServiceClock(environment: config.environment)
        let progress = ConsumerProgress()
        if clock.offset != 0 { logger.warning("clock shifted by ORDERFLOW_CLOCK_OFFSET_SECONDS (test hook)", metadata: ["clock.offset_s": "\(clock.offset)"]) }

        var services: [any Service] = [producer, consumer]
        let masterData = identity.needsMasterData ? MasterDataCopy() : nil
        // SQLite: this process is the only writer, so decoded records stay valid across batches.
        let records = RecordCache()
        if let masterData {
            let masterDataConsumer = try KafkaConsumer(
                config: KafkaConsumerConfig(client: kafkaConfig(config, role: "masterdata"), mode: .assignAll,
                                            topics: [topics.name(.products), topics.name(.customers)],
                                            // Compacted: gaps in their offsets are normal.
                                            gapTolerantTopics: [topics.name(.products), topics.name(.customers)]),
                logger: logger)
            services.append(masterDataConsumer)
            services.append(MasterDataMaterialiser(consumer: masterDataConsumer, database: database, topics: topics,
                                                   readiness: readiness, copy: masterData, logger: logger))
        }
        let added = try additions(ServiceAdditions.Context(config: config, database: database, logger: logger))
        services.append(OpsHTTPServer.make(host: config.httpHost, port: config.httpPort, service: identity.name,
                                           readiness: readiness, registry: registry, publisher: publisher, database: database,
                                           extraRoutes: extraRoutes(database), routes: added.routes,
                                           logger: logger))
        services.append(InboxProcessor(
            rules: rules, consumer: consumer, database: database, publisher: publisher, topics: topics,
            settings: .init(maxBatch: config.batchSize, maxWait: config.batchWait), crashPoints: CrashPoints(),
            readiness: readiness, logger: logger, clock: clock, progress: progress, masterData: masterData,
            records: records, soleMember: soleMember))
        services.append(ConsumerLagReporter(consumer: consumer, progress: progress, service: identity.name))
        services.append(Ticker(rules: rules, database: database, publisher: publisher, writer: writer,
                               interval: config.tickInterval, logger: logger, clock: clock, masterData: masterData,
                               records: records))
        services.append(InboxPruner(database: database, committed: { consumer.committedOffsets }, logger: logger))
        if let fault = FatalErrorInjection(environment: config.environment) {
            logger.warning("ORDERFLOW_FATAL_AFTER_MS is set (test hook): the producer raises a fatal error", metadata: ["after_ms": "\(fault.afterMilliseconds)"])
            services.append(FatalErrorInjector(fault: fault, producer: producer))
        }
        // Last in, so first to stop.
        services += added.services

        // Graceful shutdown runs in reverse: timer, inbox loop (finishes its batch and
        // commits), HTTP, consumers (leave the group), producer (flushes) last.
        var groupConfiguration = ServiceGroupConfiguration(
            services: services.map { .init(service: $0) },
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger)
        // Bounds, so a broker that is gone cannot hold the process at shutdown forever.
        groupConfiguration.maximumGracefulShutdownDuration = .seconds(30)
        groupConfiguration.maximumCancellationDuration = .seconds(10)
        return ServiceGroup(configuration: groupConfiguration)
    }

    /// Runs a department service until SIGTERM/SIGINT.
    public static func run(rules: any DepartmentRules, config: ServiceConfig,
                           extraRoutes: (any ServiceDatabase) -> [OpsHTTPServer.ExtraRoute] = { _ in [] },
                           additions: (ServiceAdditions.Context) throws -> ServiceAdditions = { _ in ServiceAdditions() }) async throws {
        MemoryTuning.apply()
        let registry = bootstrapObservability(level: config.logLevel, format: config.logFormat,
                                              service: config.identity.name)
        let logger = Logger(label: "orderflow.\(config.identity.name)")
        logger.info("starting", metadata: [
            "kafka.bootstrap": "\(config.bootstrapServers)", "kafka.group": "\(config.groupId)",
            "db.path": "\(config.databasePath)", "http.port": "\(config.httpPort)",
            "librdkafka.version": "\(Librdkafka.versionString)",
            "kafka.profile": "\(config.kafkaProfile.rawValue)",
            "kafka.options": "\(RedactedProperties(config.kafkaOptions))",
        ])
        let group: ServiceGroup
        do {
            group = try build(rules: rules, config: config, registry: registry, extraRoutes: extraRoutes, additions: additions,
                              logger: logger)
        } catch let refusal as SecondReplicaRefused {
            logger.error("\(refusal)")
            throw reported(refusal, format: config.logFormat)
        } catch {
            logger.critical("could not start", metadata: ["error": "\(error)"])
            throw reported(error, format: config.logFormat)
        }
        do {
            try await group.run()
        } catch {
            // A fatal Kafka error (or any service failing) ends the process with a non-zero
            // exit code (the command's `main` reports the error), so that it is restarted.
            logger.critical("stopping: a service failed", metadata: ["error": "\(error)"])
            throw reported(error, format: config.logFormat)
        }
        logger.info("stopped")
    }

    /// What `run` throws for an error it has just logged: the error itself, which the
    /// command's `main` prints again as `Error: …`; in JSON format a bare exit code 1
    /// instead, so that standard error holds nothing but JSON lines.
    private static func reported(_ error: any Error, format: LogFormat) -> any Error {
        format == .json ? ExitCode.failure : error
    }
}

/// What a service adds to what `OrderFlowService.build` runs for every service: routes on
/// its HTTP port (any method, with the request) and services of its own in the group (e.g.
/// a further consumer), which stop first at shutdown.
public struct ServiceAdditions {
    /// What the additions may use: the service's configuration, database and logger.
    public struct Context {
        public var config: ServiceConfig
        public var database: any ServiceDatabase
        public var logger: Logger
    }

    public var routes: (Router<BasicRequestContext>) -> Void
    public var services: [any Service]

    public init(routes: @escaping (Router<BasicRequestContext>) -> Void = { _ in }, services: [any Service] = []) {
        self.routes = routes
        self.services = services
    }
}

/// Removes inbox entries once an hour that are older than a week *and* below the committed
/// offset of their partition (as the broker confirmed it to this process's consumer): an
/// event id must be remembered as long as the broker might deliver the message again, and
/// it does so from the committed offset. Entries of a partition whose commit keeps failing,
/// or that this process has not seen committed, are kept (README, Operations: inbox retention).
final class InboxPruner: Service {
    let database: any ServiceDatabase
    let committed: @Sendable () -> [KafkaTopicPartition: Int64]
    let logger: Logger
    let retention: TimeInterval = 7 * 24 * 3600

    init(database: any ServiceDatabase, committed: @escaping @Sendable () -> [KafkaTopicPartition: Int64], logger: Logger) {
        self.database = database
        self.committed = committed
        self.logger = logger
    }

    func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                let removed = try await database.pruneInbox(olderThan: Date().addingTimeInterval(-retention), committed: committed())
                if removed > 0 { logger.info("pruned old inbox entries", metadata: ["inbox.removed": "\(removed)"]) }
            } catch {
                logger.warning("inbox pruning failed; trying again in an hour", metadata: ["error": "\(error)"])
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(3600)) }
        }
    }
}
