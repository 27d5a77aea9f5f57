import Foundation
import Testing

/// The Grafana dashboard and the Prometheus alert rules of `deploy/` are valid, and every
/// metric they name is one the services export: a renamed metric cannot leave a silent
/// panel or an alert that never fires.
@Suite struct MonitoringFilesTests {
    static let root = DeploymentFilesTests.root
    static let rules = root.appendingPathComponent("deploy/prometheus/orderflow-alerts.yml")
    static let rulesTests = root.appendingPathComponent("deploy/prometheus/orderflow-alerts.test.yml")
    static let dashboard = root.appendingPathComponent("deploy/grafana/orderflow-dashboard.json")

    /// Metrics of Prometheus itself that the rules may use.
    static let prometheusOwn: Set<String> = ["up"]

    /// The metric names the services export, read from the code: each
    /// `Counter/Gauge/Recorder/Timer(label: "orderflow_…")` of Shared/ and Services/; a
    /// `Timer` and a `Recorder(…, aggregate: true)` are histograms (`_bucket`, `_sum`,
    /// `_count`).
    static func exportedMetrics() throws -> Set<String> {
        var names: Set<String> = []
        let pattern = /(Counter|FloatingPointCounter|Gauge|Recorder|Timer|Meter)\(label: "(orderflow_[a-z0-9_]+)"([^\n]*)/
        for folder in ["Shared", "Services"] {
            let enumerator = FileManager.default.enumerator(at: root.appendingPathComponent(folder), includingPropertiesForKeys: nil)
            while let file = enumerator?.nextObject() as? URL {
                guard file.pathExtension == "swift" else { continue }
                for match in try String(contentsOf: file, encoding: .utf8).matches(of: pattern) {
                    let name = String(match.2)
                    let histogram = match.1 == "Timer" || (match.1 == "Recorder" && match.3.contains("aggregate: true"))
                    names.formUnion(histogram ? ["_bucket", "_sum", "_count"].map { name + $0 } : [name])
                }
            }
        }
        return names
    }

    /// The `orderflow_…` metric names in `text` that are not in `exported`.
    static func unknownMetrics(in text: String, exported: Set<String>) -> Set<String> {
        Set(text.matches(of: /\borderflow_[a-z0-9_]+/).map { String($0.0) }).subtracting(exported)
    }

    /// Every PromQL expression of the dashboard's panels (and its variables' queries).
    static func dashboardExpressions() throws -> [String] {
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: dashboard)) as? [String: Any]
        let panels = try #require(object?["panels"] as? [[String: Any]], "the dashboard has panels")
        var expressions: [String] = []
        for panel in panels {
            let targets = panel["targets"] as? [[String: Any]] ?? []
            #expect(!targets.isEmpty, "panel \(panel["title"] ?? "?") has no query")
            expressions += targets.compactMap { $0["expr"] as? String }
        }
        let variables = (object?["templating"] as? [String: Any])?["list"] as? [[String: Any]] ?? []
        expressions += variables.compactMap { $0["definition"] as? String }
        return expressions
    }

    func promtool(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let result = try runProgram(URL(fileURLWithPath: "/usr/bin/env"), ["promtool"] + arguments, in: Self.root)
        if result.status == 127 { Issue.record("promtool is not installed: run scripts/setup.sh (Debian package prometheus)") }
        return result
    }

    @Test func promtoolAcceptsTheRulesAndTheirUnitTests() throws {
        let check = try promtool(["check", "rules", Self.rules.path])
        #expect(check.status == 0, "promtool check rules:\n\(check.output)")
        let test = try promtool(["test", "rules", Self.rulesTests.path])
        #expect(test.status == 0, "promtool test rules:\n\(test.output)")
    }

    @Test func promtoolRefusesABrokenRuleFile() throws {
        let broken = FileManager.default.temporaryDirectory.appendingPathComponent("orderflow-broken-\(UUID().uuidString.prefix(8)).yml")
        defer { try? FileManager.default.removeItem(at: broken) }
        let text = try String(contentsOf: Self.rules, encoding: .utf8)
            .replacingOccurrences(of: "max by (service) (orderflow_outbox_parked) > 0", with: "max by (service) (orderflow_outbox_parked > 0")
        try text.write(to: broken, atomically: true, encoding: .utf8)
        let check = try promtool(["check", "rules", broken.path])
        #expect(check.status != 0, "a rule with an unbalanced parenthesis passed:\n\(check.output)")
    }

    @Test func everyMetricOfTheRulesAndTheDashboardIsExported() throws {
        let exported = try Self.exportedMetrics()
        #expect(exported.isSuperset(of: ["orderflow_messages_in_total", "orderflow_batch_duration_seconds_bucket",
                                         "orderflow_outbox_parked", "orderflow_sla_breaches_total", "orderflow_ready"]),
                "the scan of the code finds the metrics: \(exported.sorted())")
        let rules = try String(contentsOf: Self.rules, encoding: .utf8)
        #expect(Self.unknownMetrics(in: rules, exported: exported).isEmpty,
                "the rules name metrics no service exports: \(Self.unknownMetrics(in: rules, exported: exported).sorted())")
        let expressions = try Self.dashboardExpressions()
        #expect(expressions.count >= 10)
        for expression in expressions {
            #expect(Self.unknownMetrics(in: expression, exported: exported).isEmpty, "unknown metric in the dashboard: \(expression)")
        }
        // Outside `orderflow_…`, only Prometheus's own `up` is used.
        let used = Set((expressions + [rules]).flatMap { $0.matches(of: /\b(up)\{/).map { String($0.1) } })
        #expect(used.isSubset(of: Self.prometheusOwn))
    }

    @Test func anUnknownOrMisspelledMetricIsCaught() throws {
        let exported = try Self.exportedMetrics()
        let text = "sum(rate(orderflow_messages_in_total[1m])) + orderflow_outbox_parkd + orderflow_batch_duration_seconds"
        // The bare histogram name is not a series: only its _bucket/_sum/_count are.
        #expect(Self.unknownMetrics(in: text, exported: exported) == ["orderflow_outbox_parkd", "orderflow_batch_duration_seconds"])
    }

    @Test func theDashboardCoversWhatOperatorsWatch() throws {
        let text = try String(contentsOf: Self.dashboard, encoding: .utf8)
        for metric in ["orderflow_messages_in_total", "orderflow_batch_duration_seconds_bucket", "orderflow_consumer_lag",
                       "orderflow_dead_letters_total", "orderflow_outbox_parked", "orderflow_sla_breaches_total"] {
            #expect(text.contains(metric), "no panel shows \(metric)")
        }
        let rules = try String(contentsOf: Self.rules, encoding: .utf8)
        for alert in ["OrderFlowServiceDown", "OrderFlowServiceNotReady", "OrderFlowConsumerLagGrowing", "OrderFlowDeadLetters",
                      "OrderFlowOutboxRowsParked", "OrderFlowSLABreaches", "OrderFlowBatchLatencyHigh"] {
            #expect(rules.contains("alert: \(alert)"), "missing alert \(alert)")
        }
    }
}
