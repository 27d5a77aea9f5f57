import ArgumentParser
import Foundation
import Kafka
import Logging
import OrderModel
import ServiceKit

/// `orderctl`: the operator's and developer's command-line tool for OrderFlow.
@main
struct OrderCtl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "orderctl",
        abstract: "Operate OrderFlow: create topics, load master data, submit orders, send events, watch topics.",
        subcommands: [
            Topics.self, MasterData.self, Stock.self, Submit.self, Send.self, Tail.self, Status.self, Demo.self, KPI.self, Parked.self, DeadLetters.self,
        ])
}

/// Connection flags shared by every subcommand.
struct ConnectionOptions: ParsableArguments {
    @Option(help: "Kafka bootstrap servers. Env ORDERFLOW_BOOTSTRAP_SERVERS; default 127.0.0.1:9092.")
    var bootstrapServers: String?

    @Option(help: "Prefix in front of every topic name. Env ORDERFLOW_TOPIC_PREFIX.")
    var topicPrefix: String?

    @Option(help: "local or production librdkafka tuning. Env ORDERFLOW_KAFKA_PROFILE; default local.")
    var kafkaProfile: KafkaProfile?

    @Option(help: "Extra librdkafka properties, key=value,key=value (split on every comma). Env ORDERFLOW_KAFKA_OPTIONS; wins over the options file.")
    var kafkaOptions: String?

    @Option(help: "File of extra librdkafka properties, one key=value per line (# comments; values may contain commas). Env ORDERFLOW_KAFKA_OPTIONS_FILE.")
    var kafkaOptionsFile: String?

    var environment: [String: String] { ProcessInfo.processInfo.environment }
    var servers: String { bootstrapServers ?? environment["ORDERFLOW_BOOTSTRAP_SERVERS"] ?? "127.0.0.1:9092" }
    var topics: TopicNames { TopicNames(prefix: topicPrefix ?? environment["ORDERFLOW_TOPIC_PREFIX"] ?? "") }

    /// Profile and extra librdkafka options, read exactly as the services read them.
    func kafkaSettings() throws -> KafkaSettings {
        try KafkaSettings.resolve(profile: kafkaProfile, options: kafkaOptions, optionsFile: kafkaOptionsFile, environment: environment)
    }

    func client(_ role: String) throws -> KafkaClientConfig {
        try kafkaSettings().clientConfig(bootstrapServers: servers, clientId: "orderctl-\(role)")
    }

    var logger: Logger {
        var logger = Logger(label: "orderctl")
        logger.logLevel = .warning
        return logger
    }

    func producer() throws -> KafkaProducer { try KafkaProducer(client: try client("producer"), logger: logger) }

    /// A consumer that reads `topics` from the beginning, without a group.
    func reader(_ topics: [Topic]) throws -> KafkaConsumer {
        try KafkaConsumer(config: KafkaConsumerConfig(client: try client("reader"), mode: .assignAll, topics: topics.map(self.topics.name)),
                          logger: logger)
    }
}

/// Sends CloudEvents envelopes for outside parties (payments, decisions, scans …).
struct EventSender {
    let producer: KafkaProducer
    let topics: TopicNames
    let source: String

    func send<P: EventPayload>(_ payload: P, to topic: Topic, key: String, id: String = UUID().uuidString.lowercased()) async throws {
        try await send([(payload, key, id)], to: topic)
    }

    /// Sends several events of one type in order, awaiting all delivery reports together.
    func send<P: EventPayload>(_ events: [(payload: P, key: String, id: String)], to topic: Topic) async throws {
        guard !events.isEmpty else { return }
        _ = try await producer.send(try events.map { event in
            let envelope = try EventEnvelope(id: event.id, source: source, subject: event.key, time: Date(), correlationid: nil,
                                             causationid: nil, payload: event.payload)
            return KafkaOutgoingMessage(topic: topics.name(topic), key: Array(event.key.utf8), value: Array(try envelope.encoded()),
                                        headers: [KafkaHeader(key: CloudEventsKafka.contentTypeHeader, value: CloudEventsKafka.structuredContentType)])
        })
    }
}

/// Reads JSON from a file path, or standard input for `-`.
func readInput(_ path: String) throws -> Data {
    if path == "-" { return FileHandle.standardInput.readDataToEndOfFile() }
    guard FileManager.default.fileExists(atPath: path) else { throw ValidationError("no such file: \(path)") }
    return try Data(contentsOf: URL(fileURLWithPath: path))
}

/// Prints a line at once, also when standard output is a file or a pipe (where `print`
/// would hold it in a buffer): progress of long-running commands must show as it happens.
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
