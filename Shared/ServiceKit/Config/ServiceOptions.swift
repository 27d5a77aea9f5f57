import ArgumentParser
import Foundation
import Kafka
import Logging
import OrderModel

/// Who a service is: its name, its inbox topic, its default HTTP port and whether its
/// rules read master data.
public struct ServiceIdentity: Sendable, Hashable {
    public var name: String
    public var inbox: Topic
    public var defaultHTTPPort: Int
    public var needsMasterData: Bool

    public init(name: String, inbox: Topic, defaultHTTPPort: Int, needsMasterData: Bool) {
        self.name = name
        self.inbox = inbox
        self.defaultHTTPPort = defaultHTTPPort
        self.needsMasterData = needsMasterData
    }

    public static let intake = ServiceIdentity(name: "intake", inbox: .submitted, defaultHTTPPort: 8081, needsMasterData: true)
    public static let review = ServiceIdentity(name: "review", inbox: .review, defaultHTTPPort: 8082, needsMasterData: true)
    public static let warehouse = ServiceIdentity(name: "warehouse", inbox: .warehouse, defaultHTTPPort: 8083, needsMasterData: true)
    public static let logistics = ServiceIdentity(name: "logistics", inbox: .logistics, defaultHTTPPort: 8084, needsMasterData: false)
    public static let billing = ServiceIdentity(name: "billing", inbox: .billing, defaultHTTPPort: 8085, needsMasterData: false)
    /// Not a department: reads `orders.status` (in its own group) into a store it serves over HTTP.
    public static let tracking = ServiceIdentity(name: "tracking", inbox: .status, defaultHTTPPort: 8086, needsMasterData: false)
}

/// How librdkafka is tuned: `local` for the in-memory dev/test broker (short session
/// timeout, 10 ms fetch wait), `production` for librdkafka's defaults.
public enum KafkaProfile: String, Sendable, Hashable, CaseIterable, ExpressibleByArgument {
    case local, production
}

/// Everything a service is configured with, resolved from flags, then environment, then
/// defaults (see `ServiceOptions`).
public struct ServiceConfig: Sendable {
    public var identity: ServiceIdentity
    public var bootstrapServers: String
    public var topicPrefix: String
    public var databasePath: String
    public var httpHost: String
    public var httpPort: Int
    public var groupId: String
    public var kafkaProfile: KafkaProfile
    /// Extra librdkafka properties (`ORDERFLOW_KAFKA_OPTIONS_FILE`, then
    /// `ORDERFLOW_KAFKA_OPTIONS`), applied last. Print them only through `RedactedProperties`.
    public var kafkaOptions: [String: String]
    public var logLevel: Logger.Level
    /// `text` for people, `json` (one object per line) for log collectors.
    public var logFormat: LogFormat
    public var batchSize: Int
    public var batchWait: Duration
    public var tickInterval: Duration
    /// The environment the department's own configuration is read from (flags that map
    /// to department settings, such as `--demo-mode`, are already folded in).
    public var environment: [String: String]

    public var topics: TopicNames { TopicNames(prefix: topicPrefix) }

    /// Profile and options, as `KafkaSettings`.
    public var kafkaSettings: KafkaSettings { KafkaSettings(profile: kafkaProfile, options: kafkaOptions) }
}

extension ServiceConfig: CustomStringConvertible {
    /// The settings, with the values of sensitive Kafka options redacted and without the
    /// environment (it holds ORDERFLOW_KAFKA_OPTIONS verbatim).
    public var description: String {
        "ServiceConfig(service: \(identity.name), bootstrapServers: \(bootstrapServers), topicPrefix: \(topicPrefix), "
            + "databasePath: \(databasePath), http: \(httpHost):\(httpPort), groupId: \(groupId), "
            + "kafkaProfile: \(kafkaProfile.rawValue), kafkaOptions: [\(RedactedProperties(kafkaOptions))], "
            + "logLevel: \(logLevel), logFormat: \(logFormat.rawValue), batchSize: \(batchSize), batchWait: \(batchWait), tickInterval: \(tickInterval))"
    }
}

/// The command-line flags every service accepts. Each falls back to an environment
/// variable (`ORDERFLOW_…`) and then to a documented default.
public struct ServiceOptions: ParsableArguments {
    @Option(help: "Kafka bootstrap servers. Env ORDERFLOW_BOOTSTRAP_SERVERS; default 127.0.0.1:9092.")
    public var bootstrapServers: String?

    @Option(help: "Prefix put in front of every topic name. Env ORDERFLOW_TOPIC_PREFIX; default none.")
    public var topicPrefix: String?

    @Option(help: "SQLite database file. Env ORDERFLOW_DB_PATH; default ./data/<service>.sqlite.")
    public var dbPath: String?

    @Option(help: "Address the HTTP endpoints (/health, /ready, /metrics) listen on. Env ORDERFLOW_HTTP_HOST; default 127.0.0.1.")
    public var httpHost: String?

    @Option(help: "Port of the HTTP endpoints. Env ORDERFLOW_HTTP_PORT; defaults 8081–8086 (intake … billing, tracking).")
    public var httpPort: Int?

    @Option(help: "Consumer group id. Env ORDERFLOW_GROUP_ID; default orderflow-<service>.")
    public var groupId: String?

    @Option(help: "librdkafka tuning: local (in-memory dev broker) or production. Env ORDERFLOW_KAFKA_PROFILE; default local.")
    public var kafkaProfile: KafkaProfile?

    @Option(help: "Extra librdkafka properties, key=value,key=value (split on every comma). Env ORDERFLOW_KAFKA_OPTIONS; wins over the options file.")
    public var kafkaOptions: String?

    @Option(help: "File of extra librdkafka properties, one key=value per line (# comments; values may contain commas). Env ORDERFLOW_KAFKA_OPTIONS_FILE.")
    public var kafkaOptionsFile: String?

    @Option(help: "trace, debug, info, notice, warning, error, critical. Env ORDERFLOW_LOG_LEVEL; default info.")
    public var logLevel: String?

    @Option(help: "Log line format: text or json (one JSON object per line). Env ORDERFLOW_LOG_FORMAT; default text.")
    public var logFormat: String?

    @Option(help: "Most messages per batch (one transaction). Env ORDERFLOW_BATCH_SIZE; default 500.")
    public var batchSize: Int?

    @Option(help: "Longest wait in ms to fill a batch. Env ORDERFLOW_BATCH_WAIT_MS; default 20.")
    public var batchWaitMs: Int?

    @Option(help: "Interval of time-driven work in ms. Env ORDERFLOW_TICK_MS; default 200.")
    public var tickMs: Int?

    @Flag(help: "Demo mode: the warehouse works by itself and a simulated carrier ships. Env ORDERFLOW_DEMO_MODE.")
    public var demoMode = false

    public init() {}

    /// Resolves flags, environment and defaults into a `ServiceConfig`.
    public func resolve(for identity: ServiceIdentity,
                        environment: [String: String] = ProcessInfo.processInfo.environment) throws -> ServiceConfig {
        func env(_ name: String) -> String? {
            guard let value = environment["ORDERFLOW_\(name)"], !value.isEmpty else { return nil }
            return value
        }
        func int(_ flag: Int?, _ name: String, _ fallback: Int) throws -> Int {
            if let flag { return flag }
            guard let text = env(name) else { return fallback }
            guard let value = Int(text), value >= 0 else {
                throw ValidationError("ORDERFLOW_\(name)='\(text)' is not a non-negative whole number")
            }
            return value
        }
        let kafka = try KafkaSettings.resolve(profile: kafkaProfile, options: kafkaOptions, optionsFile: kafkaOptionsFile,
                                              environment: environment)
        let levelText = logLevel ?? env("LOG_LEVEL") ?? "info"
        guard let level = Logger.Level(rawValue: levelText) else {
            throw ValidationError("log level '\(levelText)' is not one of trace, debug, info, notice, warning, error, critical")
        }
        let formatText = (logFormat ?? env("LOG_FORMAT") ?? "text").trimmingCharacters(in: .whitespaces)
        guard let format = LogFormat(rawValue: formatText.lowercased()) else {
            throw ValidationError("ORDERFLOW_LOG_FORMAT='\(formatText)' is not one of \(LogFormat.allowedValues)")
        }
        var departmentEnvironment = environment
        if demoMode { departmentEnvironment["ORDERFLOW_DEMO_MODE"] = "true" }
        return ServiceConfig(
            identity: identity,
            bootstrapServers: bootstrapServers ?? env("BOOTSTRAP_SERVERS") ?? "127.0.0.1:9092",
            topicPrefix: topicPrefix ?? env("TOPIC_PREFIX") ?? "",
            databasePath: dbPath ?? env("DB_PATH") ?? "./data/\(identity.name).sqlite",
            httpHost: httpHost ?? env("HTTP_HOST") ?? "127.0.0.1",
            httpPort: try int(httpPort, "HTTP_PORT", identity.defaultHTTPPort),
            groupId: groupId ?? env("GROUP_ID") ?? "orderflow-\(identity.name)",
            kafkaProfile: kafka.profile,
            kafkaOptions: kafka.options,
            logLevel: level,
            logFormat: format,
            batchSize: max(1, try int(batchSize, "BATCH_SIZE", 500)),
            batchWait: .milliseconds(try int(batchWaitMs, "BATCH_WAIT_MS", 20)),
            tickInterval: .milliseconds(max(10, try int(tickMs, "TICK_MS", 200))),
            environment: departmentEnvironment)
    }
}
