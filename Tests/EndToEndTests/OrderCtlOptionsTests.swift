import Foundation
import Kafka
import TestSupport
import Testing

/// `orderctl` reads ORDERFLOW_KAFKA_OPTIONS, ORDERFLOW_KAFKA_OPTIONS_FILE and
/// ORDERFLOW_KAFKA_PROFILE exactly as the services do, and never prints a secret value.
@Suite struct OrderCtlOptionsTests {
    let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("orderctl-options-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    func optionsFile(_ text: String) throws -> URL {
        let url = directory.appendingPathComponent("kafka-\(UUID().uuidString.prefix(6)).properties")
        try Data(text.utf8).write(to: url)
        return url
    }

    func orderctl(_ arguments: [String], _ environment: [String: String]) throws -> (status: Int32, output: String) {
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("ORDERFLOW_") || $0.key == "ORDERFLOW_BIN_DIR" }
        env["ORDERFLOW_BOOTSTRAP_SERVERS"] = "127.0.0.1:1"
        env.merge(environment) { _, new in new }
        return try runProgram(Pipeline.binDirectory().appendingPathComponent("orderctl"), arguments, environment: env,
                              in: DeploymentFilesTests.root)
    }

    @Test(arguments: [["topics", "create"], ["masterdata", "load", "deploy/masterdata/products.json"]])
    func invalidOptionInTheFileIsNamedButItsValueIsNot(arguments: [String]) throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = try optionsFile("# staging cluster\nsecurity.protocol=plaintext\n\nsasl.password.x=topsecret,with=commas\n")
        let result = try orderctl(arguments, ["ORDERFLOW_KAFKA_OPTIONS_FILE": file.path])
        #expect(result.status != 0, "\(result.output)")
        #expect(result.output.contains("sasl.password.x"), "\(result.output)")
        #expect(result.output.contains("invalid librdkafka property"), "\(result.output)")
        #expect(!result.output.contains("topsecret"), "\(result.output)")
    }

    @Test func malformedLineAndBadProfileAreConfigurationErrors() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = try optionsFile("security.protocol=sasl_ssl\nsasl.password topsecret\n")
        let malformed = try orderctl(["topics", "create"], ["ORDERFLOW_KAFKA_OPTIONS_FILE": file.path])
        #expect(malformed.status != 0)
        #expect(malformed.output.contains("\(file.path) line 2 is not key=value"), "\(malformed.output)")
        #expect(!malformed.output.contains("topsecret"), "\(malformed.output)")

        let variable = try orderctl(["topics", "create"], ["ORDERFLOW_KAFKA_OPTIONS": "sasl.password=hunter,two2"])
        #expect(variable.status != 0 && variable.output.contains("ORDERFLOW_KAFKA_OPTIONS: entry 2"), "\(variable.output)")
        #expect(!variable.output.contains("hunter") && !variable.output.contains("two2"), "\(variable.output)")

        let profile = try orderctl(["topics", "create"], ["ORDERFLOW_KAFKA_PROFILE": "fast"])
        #expect(profile.status != 0 && profile.output.contains("ORDERFLOW_KAFKA_PROFILE='fast'"), "\(profile.output)")
    }

    @Test func optionsFromFileAndVariableReachTheBroker() async throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let broker = try await LocalBroker.shared()
        let prefix = LocalBroker.uniqueName("opts") + "."
        // The file's invalid linger.ms is overridden by the variable: the variable wins.
        let file = try optionsFile("# comment\nclient.rack=rack-a,row-3\nlinger.ms=bogus\nsocket.keepalive.enable=true\n")
        let result = try orderctl(["topics", "create", "--partitions", "1"], [
            "ORDERFLOW_BOOTSTRAP_SERVERS": broker.bootstrapServers, "ORDERFLOW_TOPIC_PREFIX": prefix,
            "ORDERFLOW_KAFKA_OPTIONS_FILE": file.path, "ORDERFLOW_KAFKA_OPTIONS": "linger.ms=2",
            "ORDERFLOW_KAFKA_PROFILE": "production",
        ])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("\(prefix)orders.status: created"), "\(result.output)")
    }
}
