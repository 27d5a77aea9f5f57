import Foundation
import Kafka
import OrderModel
import TestSupport
import Testing

/// `orderctl topics create` / `check` against the real local broker: topics are created with
/// their retention, and existing topics whose settings differ are reported, not left silently.
@Suite(.serialized) struct TopicRetentionTests {
    func orderctl(_ broker: LocalBroker, prefix: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        var environment = ProcessInfo.processInfo.environment
        environment["ORDERFLOW_BOOTSTRAP_SERVERS"] = broker.bootstrapServers
        environment["ORDERFLOW_TOPIC_PREFIX"] = prefix
        environment["ORDERFLOW_KAFKA_PROFILE"] = "local"
        return try runProgram(Pipeline.binDirectory().appendingPathComponent("orderctl"), arguments, environment: environment)
    }

    @Test func topicsAreCreatedWithTheirRetentionAndChecked() async throws {
        let broker = try await LocalBroker.shared()
        let prefix = LocalBroker.uniqueName("ret") + "."
        let created = try orderctl(broker, prefix: prefix, ["topics", "create", "--partitions", "1"])
        #expect(created.status == 0 && created.output.contains("\(prefix)orders.deadletter.replays: created") && !created.output.contains("warning"),
                "\(created.output)")

        let admin = try KafkaAdmin(client: broker.clientConfig(clientId: "retention-test"))
        let configs = try await admin.describeConfigs(of: ["\(prefix)orders.status", "\(prefix)orders.deadletter", "\(prefix)orders.review",
                                                           "\(prefix)orders.deadletter.replays"])
        #expect(configs["\(prefix)orders.status"]?["retention.ms"] == "-1")
        #expect(configs["\(prefix)orders.deadletter"]?["retention.ms"] == "2592000000")
        #expect(configs["\(prefix)orders.review"]?["retention.ms"] == "518400000")
        #expect(configs["\(prefix)orders.deadletter.replays"]?["cleanup.policy"] == "compact")

        let check = try orderctl(broker, prefix: prefix, ["topics", "check"])
        #expect(check.status == 0 && check.output.contains("\(prefix)orders.status: ok"), "\(check.output)")
        // The same topics checked against other wishes: each difference is named, exit status 1.
        let stricter = try orderctl(broker, prefix: prefix, ["topics", "check", "--status-retention", "400d"])
        #expect(stricter.status == 1 && stricter.output.contains(
            "warning: \(prefix)orders.status: retention.ms is -1 (infinite), OrderFlow wants 34560000000 (400d)"), "\(stricter.output)")
        let invalid = try orderctl(broker, prefix: prefix, ["topics", "create", "--deadletter-retention", "1d"])
        #expect(invalid.status != 0 && invalid.output.contains("must be longer than the inbox topics'"), "\(invalid.output)")

        // Topics that existed before, with the broker's defaults or other settings: reported.
        let other = LocalBroker.uniqueName("old") + "."
        _ = try await admin.createTopics([
            KafkaTopicSpec(name: "\(other)orders.status", partitions: 1, config: ["retention.ms": "604800000", "cleanup.policy": "delete"]),
            KafkaTopicSpec(name: "\(other)orders.deadletter", partitions: 1),
        ])
        await admin.close()
        let again = try orderctl(broker, prefix: other, ["topics", "create", "--partitions", "1"])
        #expect(again.status == 0 && again.output.contains("\(other)orders.status: alreadyExisted"), "\(again.output)")
        #expect(again.output.contains("warning: \(other)orders.status: retention.ms is 604800000 (7d), OrderFlow wants -1 (infinite)"), "\(again.output)")
        #expect(again.output.contains("warning: \(other)orders.deadletter: retention.ms is not set on the topic"), "\(again.output)")
        #expect(again.output.contains("--add-config retention.ms=-1"), "\(again.output)")
        let checked = try orderctl(broker, prefix: other, ["topics", "check"])
        #expect(checked.status == 1 && checked.output.contains("\(other)orders.review: ok"), "\(checked.output)")
    }
}
