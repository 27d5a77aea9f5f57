import Foundation
import Kafka
import OrderModel
import ServiceKit
import TestSupport
import Testing

@Suite struct TopicPolicyTests {
    @Test func retentionPeriodsAreReadAsOperatorsWriteThem() {
        #expect(RetentionPeriod.milliseconds(of: "30d") == Int64(2_592_000_000))
        #expect(RetentionPeriod.milliseconds(of: "12h") == Int64(43_200_000))
        #expect(RetentionPeriod.milliseconds(of: "90m") == Int64(5_400_000))
        #expect(RetentionPeriod.milliseconds(of: "45s") == 45_000)
        #expect(RetentionPeriod.milliseconds(of: "1500ms") == 1500)
        #expect(RetentionPeriod.milliseconds(of: "604800000") == 604_800_000)
        #expect(RetentionPeriod.milliseconds(of: "infinite") == -1 && RetentionPeriod.milliseconds(of: "-1") == -1)
        for bad in ["", "0", "0d", "-5d", "ten days", "3w", "99999999999999999d"] {
            #expect(RetentionPeriod.milliseconds(of: bad) == nil, "\(bad)")
        }
        #expect(RetentionPeriod.describe(milliseconds: 30 * 86_400_000) == "30d")
        #expect(RetentionPeriod.describe(milliseconds: -1) == "infinite")
        #expect(RetentionPeriod.describe(milliseconds: 36 * 3_600_000) == "36h")
    }

    @Test func theDefaultsKeepStatusForEverAndTheDeadLetterLongerThanTheInboxes() throws {
        let policy = try TopicPolicy.resolve(environment: [:])
        #expect(policy.config(for: .status) == ["cleanup.policy": "delete", "retention.ms": "-1"])
        #expect(policy.config(for: .deadletter) == ["cleanup.policy": "delete", "retention.ms": "2592000000"])
        for inbox in [Topic.submitted, .review, .warehouse, .logistics, .billing, .replenishment] {
            #expect(policy.config(for: inbox) == ["cleanup.policy": "delete", "retention.ms": "518400000", "segment.ms": "86400000"], "\(inbox)")
        }
        for compacted in [Topic.products, .customers, .deadletterReplays] {
            #expect(policy.config(for: compacted) == ["cleanup.policy": "compact"], "\(compacted)")
        }
        // Every topic gets a deliberate configuration.
        for topic in Topic.allCases { #expect(policy.config(for: topic)["cleanup.policy"] != nil) }
    }

    @Test func flagsBeatTheEnvironmentAndBadCombinationsAreRefused() throws {
        let env = ["ORDERFLOW_STATUS_RETENTION": "400d", "ORDERFLOW_DEADLETTER_RETENTION": "60d", "ORDERFLOW_INBOX_RETENTION": "3d"]
        let fromEnv = try TopicPolicy.resolve(environment: env)
        #expect(fromEnv.statusRetentionMs == 400 * 86_400_000 && fromEnv.deadletterRetentionMs == 60 * 86_400_000 && fromEnv.inboxRetentionMs == 3 * 86_400_000)
        let flagged = try TopicPolicy.resolve(status: "infinite", environment: env)
        #expect(flagged.statusRetentionMs == -1)
        #expect(throws: TopicPolicyError.self) { try TopicPolicy.resolve(deadletter: "5d", environment: [:]) }   // not longer than 6d
        #expect(throws: TopicPolicyError.self) { try TopicPolicy.resolve(status: "2d", environment: [:]) }
        #expect(throws: TopicPolicyError.self) { try TopicPolicy.resolve(environment: ["ORDERFLOW_STATUS_RETENTION": "a month"]) }
        #expect(throws: TopicPolicyError.self) { try TopicPolicy.resolve(inbox: "infinite", environment: [:]) }  // dead letter 30d < infinite
        #expect(try TopicPolicy.resolve(inbox: "infinite", status: "infinite", deadletter: "infinite", environment: [:]).config(for: .review)["segment.ms"] == "86400000")
    }

    @Test func existingSettingsAreComparedByMeaning() {
        let wanted = ["cleanup.policy": "delete", "retention.ms": "-1"]
        #expect(TopicConfigFinding.compare(wanted: wanted, actual: ["cleanup.policy": "delete", "retention.ms": "-1", "other": "x"]).isEmpty)
        #expect(TopicConfigFinding.compare(wanted: wanted, actual: ["cleanup.policy": "delete", "retention.ms": "604800000"])
                == [.differs(key: "retention.ms", wanted: "-1", actual: "604800000")])
        #expect(TopicConfigFinding.compare(wanted: wanted, actual: [:])
                == [.notSet(key: "cleanup.policy", wanted: "delete"), .notSet(key: "retention.ms", wanted: "-1")])
        #expect(TopicConfigFinding.compare(wanted: ["cleanup.policy": "compact,delete"], actual: ["cleanup.policy": "delete, compact"]).isEmpty)
        #expect(TopicConfigFinding.compare(wanted: ["cleanup.policy": "compact"], actual: ["cleanup.policy": "compact,delete"]).count == 1)
        let text = "\(TopicConfigFinding.differs(key: "retention.ms", wanted: "-1", actual: "604800000"))"
        #expect(text == "retention.ms is 604800000 (7d), OrderFlow wants -1 (infinite)")
    }
}

@Suite struct TopicCheckLineTests {
    let names = TopicNames(prefix: "p.")
    let policy = TopicPolicy()

    @Test func eachTopicIsOkOrEachDifferenceIsNamedWithItsFix() {
        let lines = TopicCheckLine.lines(for: [.status, .deadletter, .review], names: names, policy: policy, described: [
            "p.orders.status": ["cleanup.policy": "delete", "retention.ms": "-1"],
            "p.orders.deadletter": ["cleanup.policy": "delete", "retention.ms": "604800000"],
        ])
        #expect(lines.map(\.verdict) == [.ok, .differs, .couldNotCheck])
        #expect(lines[0].text == "p.orders.status: ok")
        #expect(lines[1].text.hasPrefix("warning: p.orders.deadletter: retention.ms is 604800000 (7d), OrderFlow wants 2592000000 (30d)"))
        #expect(lines[1].text.contains("--entity-name p.orders.deadletter --add-config retention.ms=2592000000"))
        #expect(lines[2].text == "warning: p.orders.review: could not check its settings (the broker described nothing for it)")
    }

    @Test func aBrokerWithoutDescribeConfigsIsReportedAsCouldNotCheck() {
        let lines = TopicCheckLine.lines(for: [.status, .review], names: names, policy: policy, described: nil,
                                         error: "KafkaError.admin: DescribeConfigs failed [rdkafka _UNSUPPORTED_FEATURE (-165)]")
        #expect(lines.count == 1 && lines[0].verdict == .couldNotCheck)
        #expect(lines[0].text.contains("could not check the settings of the existing topics") && lines[0].text.contains("_UNSUPPORTED_FEATURE"))
        #expect(TopicCheckLine.lines(for: [], names: names, policy: policy, described: nil).isEmpty)
    }
}

/// What the local broker (Tansu) answers to DescribeConfigs: the settings a topic was
/// created with, nothing for one created without any.
@Suite(.serialized) struct DescribeConfigsTests {
    @Test func theBrokerDescribesTheSettingsTopicsWereCreatedWith() async throws {
        let broker = try await LocalBroker.shared()
        let admin = try KafkaAdmin(client: broker.clientConfig(clientId: "describe-configs"))
        let policy = TopicPolicy()
        let status = broker.uniqueTopic("orders.status"), plain = broker.uniqueTopic("plain")
        _ = try await admin.createTopics([KafkaTopicSpec(name: status, partitions: 1, config: policy.config(for: .status)),
                                          KafkaTopicSpec(name: plain, partitions: 1)])
        let described = try await admin.describeConfigs(of: [status, plain])
        await admin.close()
        let statusConfig = try #require(described[status])
        #expect(TopicConfigFinding.compare(wanted: policy.config(for: .status), actual: statusConfig).isEmpty, "\(statusConfig)")
        // A topic created without settings: whatever the broker reports, OrderFlow's are not all there.
        #expect(!TopicConfigFinding.compare(wanted: policy.config(for: .status), actual: described[plain] ?? [:]).isEmpty)
    }
}
