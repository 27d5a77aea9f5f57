import ArgumentParser
import Foundation
import Kafka
import OrderModel
import ServiceKit

/// `orderctl topics create` / `check`: creates every OrderFlow topic with its retention,
/// idempotently, and reports existing topics whose settings differ.
struct Topics: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Manage OrderFlow's topics.", subcommands: [Create.self, Check.self])

    /// Retention flags shared by `create` and `check`.
    struct RetentionOptions: ParsableArguments {
        @Option(help: "Retention of orders.status (e.g. 400d, infinite). Env ORDERFLOW_STATUS_RETENTION; default infinite (tracking rebuilds from it).")
        var statusRetention: String?
        @Option(help: "Retention of orders.deadletter, longer than the inbox topics'. Env ORDERFLOW_DEADLETTER_RETENTION; default 30d.")
        var deadletterRetention: String?
        @Option(help: "Retention of the inbox topics (orders.submitted, the department topics, orders.replenishment). Env ORDERFLOW_INBOX_RETENTION; default 6d.")
        var inboxRetention: String?

        func policy() throws -> TopicPolicy {
            do {
                return try TopicPolicy.resolve(inbox: inboxRetention, status: statusRetention, deadletter: deadletterRetention)
            } catch let error as TopicPolicyError {
                throw ValidationError(error.description)
            }
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create all topics with their retention; existing topics are left as they are, and reported when their settings differ.")

        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var retention: RetentionOptions
        @Option(help: "Partitions per topic.") var partitions = 6
        @Option(help: "Replication factor.") var replicationFactor = 1

        func run() async throws {
            let policy = try retention.policy()
            let admin = try KafkaAdmin(client: try connection.client("admin"), logger: connection.logger)
            let specs = Topic.allCases.map { topic in
                KafkaTopicSpec(name: connection.topics.name(topic), partitions: partitions, replicationFactor: replicationFactor,
                               config: policy.config(for: topic))
            }
            let results = try await admin.createTopics(specs, timeout: .seconds(30))
            for spec in specs {
                print("\(spec.name): \(results[spec.name].map { "\($0)" } ?? "unknown")")
            }
            let existing = Topic.allCases.filter { results[connection.topics.name($0)] == .alreadyExisted }
            let lines = await TopicCheck.run(existing, policy: policy, admin: admin, topics: connection.topics)
            await admin.close()
            for line in lines where line.verdict != .ok { print(line.text) }
        }
    }

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Compare the existing topics' settings (retention, cleanup policy) with OrderFlow's; exit 1 when one differs or is missing, 2 when the broker cannot tell.")

        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var retention: RetentionOptions

        func run() async throws {
            let policy = try retention.policy()
            let admin = try KafkaAdmin(client: try connection.client("admin"), logger: connection.logger)
            var missing: [String] = []
            var present: [Topic] = []
            for topic in Topic.allCases {
                if try await admin.partitionCount(of: connection.topics.name(topic)) == nil {
                    missing.append(connection.topics.name(topic))
                } else {
                    present.append(topic)
                }
            }
            let lines = await TopicCheck.run(present, policy: policy, admin: admin, topics: connection.topics)
            await admin.close()
            for line in lines { print(line.text) }
            for name in missing { print("\(name): missing (run orderctl topics create)") }
            if lines.contains(where: { $0.verdict == .differs }) || !missing.isEmpty { throw ExitCode(1) }
            if lines.contains(where: { $0.verdict == .couldNotCheck }) { throw ExitCode(2) }
        }
    }
}

/// Compares existing topics with the policy through DescribeConfigs.
enum TopicCheck {
    static func run(_ topics: [Topic], policy: TopicPolicy, admin: KafkaAdmin, topics names: TopicNames) async -> [TopicCheckLine] {
        guard !topics.isEmpty else { return [] }
        do {
            let described = try await admin.describeConfigs(of: topics.map(names.name), timeout: .seconds(15))
            return TopicCheckLine.lines(for: topics, names: names, policy: policy, described: described)
        } catch {
            return TopicCheckLine.lines(for: topics, names: names, policy: policy, described: nil, error: "\(error)")
        }
    }
}
