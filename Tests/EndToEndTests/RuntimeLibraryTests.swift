import Foundation
import Testing

/// Debian's librdkafka 2.0.2 cannot talk to current brokers: every executable must refuse
/// to start on it, saying how to fix it, instead of failing obscurely later.
@Suite struct RuntimeLibraryTests {
    @Test(arguments: ["intake", "billing", "orderctl"])
    func executablesRefuseLibrdkafkaOlderThan2_1(program: String) throws {
        // librdkafka-dev (installed by setup) brings Debian's runtime library along.
        try #require(FileManager.default.fileExists(atPath: "/usr/lib/x86_64-linux-gnu/librdkafka.so.1"))
        var environment = ProcessInfo.processInfo.environment
        environment["LD_LIBRARY_PATH"] = nil   // Debian's 2.0.2 from /usr/lib is loaded
        environment["ORDERFLOW_BOOTSTRAP_SERVERS"] = "127.0.0.1:1"
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rt-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let arguments = program == "orderctl" ? ["topics", "create"] : ["--http-port", "0"]
        let result = try runProgram(Pipeline.binDirectory().appendingPathComponent(program), arguments, environment: environment, in: directory)
        #expect(result.status != 0)
        #expect(result.output.contains("librdkafka 2.0.2 is loaded, but OrderFlow needs librdkafka >= 2.1"), "\(result.output)")
        #expect(result.output.contains("LD_LIBRARY_PATH"))
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("data").path), "nothing is created before the check")
    }
}
