import Foundation
import Testing

/// The container deployment is validated offline with Debian's `docker-compose` (no
/// Docker engine runs here; our users run the file).
@Suite struct DeploymentFilesTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    func dockerCompose(_ arguments: [String]) throws -> (status: Int32, output: String) {
        try runProgram(URL(fileURLWithPath: "/usr/bin/env"),
                       ["docker-compose", "-f", Self.root.appendingPathComponent("docker-compose.yml").path] + arguments, in: Self.root)
    }

    @Test func composeFileIsValid() throws {
        let result = try dockerCompose(["config", "-q"])
        #expect(result.status == 0, "docker-compose config -q failed:\n\(result.output)")
        #expect(result.output.isEmpty)
    }

    @Test func composeRunsKafkaTopicInitAndAllFiveServices() throws {
        let result = try dockerCompose(["config", "--services"])
        let services = Set(result.output.split(separator: "\n").map(String.init))
        #expect(services.isSuperset(of: ["kafka", "topics", "intake", "review", "warehouse", "logistics", "billing"]), "\(services)")
        let config = try dockerCompose(["config"]).output
        #expect(config.contains("KAFKA_PROCESS_ROLES"), "Kafka runs in KRaft mode")
        #expect(config.contains("/ready"), "services have readiness healthchecks")
    }
}
