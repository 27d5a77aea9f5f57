import ArgumentParser
import Foundation
import Kafka
import OrderModel

/// `orderctl topics create`: creates every OrderFlow topic, idempotently.
struct Topics: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Manage OrderFlow's topics.", subcommands: [Create.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create all topics (existing ones are left as they are).")

        @OptionGroup var connection: ConnectionOptions
        @Option(help: "Partitions per topic.") var partitions = 6
        @Option(help: "Replication factor.") var replicationFactor = 1

        func run() async throws {
            let admin = try KafkaAdmin(client: try connection.client("admin"), logger: connection.logger)
            let specs = Topic.allCases.map { topic in
                KafkaTopicSpec(name: connection.topics.name(topic), partitions: partitions, replicationFactor: replicationFactor,
                               config: topic.isCompacted ? ["cleanup.policy": "compact"] : [:])
            }
            let results = try await admin.createTopics(specs, timeout: .seconds(30))
            for spec in specs {
                print("\(spec.name): \(results[spec.name].map { "\($0)" } ?? "unknown")")
            }
        }
    }
}
