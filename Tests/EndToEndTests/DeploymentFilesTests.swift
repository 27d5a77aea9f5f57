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
        #expect(services.isSuperset(of: ["kafka", "topics", "intake", "review", "warehouse", "logistics", "billing", "tracking"]), "\(services)")
        let config = try dockerCompose(["config"]).output
        #expect(config.contains("8086:8086") && config.contains("/data/tracking.sqlite"), "tracking publishes its page on 8086")
        #expect(config.contains("KAFKA_PROCESS_ROLES"), "Kafka runs in KRaft mode")
        #expect(config.contains("/ready"), "services have readiness healthchecks")
    }

    /// Every manifest the kustomization lists exists, the tracking service among them, on
    /// its port, with the probes the others have.
    @Test func kubernetesManifestsIncludeTracking() throws {
        let folder = Self.root.appendingPathComponent("deploy/kubernetes")
        let kustomization = try String(contentsOf: folder.appendingPathComponent("kustomization.yaml"), encoding: .utf8)
        let resources = kustomization.split(separator: "\n").filter { $0.hasPrefix("  - ") && $0.hasSuffix(".yaml") }
            .map { String($0.dropFirst(4)) }
        #expect(resources.contains("tracking.yaml"), "\(resources)")
        for resource in resources {
            #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent(resource).path), "\(resource) is listed but missing")
        }
        let tracking = try String(contentsOf: folder.appendingPathComponent("tracking.yaml"), encoding: .utf8)
        #expect(tracking.contains(#"args: ["tracking"]"#) && tracking.contains("containerPort: 8086") && tracking.contains("path: /ready"))
    }
}
