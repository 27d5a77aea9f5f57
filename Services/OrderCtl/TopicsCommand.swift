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
            let report = await TopicCheck.run(existing, policy: policy, admin: admin, topics: connection.topics)
            await admin.close()
            for line in report.lines where !line.ok { print(line.text) }
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
            let report = await TopicCheck.run(present, policy: policy, admin: admin, topics: connection.topics)
            await admin.close()
            for line in report.lines { print(line.text) }
            for name in missing { print("\(name): missing (run orderctl topics create)") }
            if report.lines.contains(where: { !$0.ok && !$0.unchecked }) || !missing.isEmpty { throw ExitCode(1) }
            if report.couldNotCheck { throw ExitCode(2) }
        }
    }
}

/// Compares existing topics with the policy through DescribeConfigs, for people.
enum TopicCheck {
    struct Line {
        var ok: Bool
        var text: String
        /// The line says "could not check", not "differs".
        var unchecked = false
    }

    struct Report {
        var lines: [Line]
        var couldNotCheck: Bool
    }

    static func run(_ topics: [Topic], policy: TopicPolicy, admin: KafkaAdmin, topics names: TopicNames) async -> Report {
        guard !topics.isEmpty else { return Report(lines: [], couldNotCheck: false) }
        let described: [String: [String: String]]
        do {
            described = try await admin.describeConfigs(of: topics.map(names.name), timeout: .seconds(15))
        } catch {
            return Report(lines: [Line(ok: false, text:
                "warning: could not check the settings of the existing topics (the broker does not answer DescribeConfigs: \(error)); check retention.ms and cleanup.policy by hand (README, Operations: topic retention)", unchecked: true)],
                          couldNotCheck: true)
        }
        var lines: [Line] = []
        var couldNotCheck = false
        for topic in topics {
            let name = names.name(topic)
            guard let actual = described[name] else {
                lines.append(Line(ok: false, text: "warning: \(name): could not check its settings (the broker described nothing for it)", unchecked: true))
                couldNotCheck = true
                continue
            }
            let findings = TopicConfigFinding.compare(wanted: policy.config(for: topic), actual: actual)
            if findings.isEmpty {
                lines.append(Line(ok: true, text: "\(name): ok"))
            } else {
                for finding in findings {
                    lines.append(Line(ok: false, text: "warning: \(name): \(finding); existing topics are not changed: set it with your Kafka tools (kafka-configs --alter --entity-type topics --entity-name \(name) --add-config \(finding.key)=\(finding.wanted))"))
                }
            }
        }
        return Report(lines: lines, couldNotCheck: couldNotCheck)
    }
}
