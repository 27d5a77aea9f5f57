import ArgumentParser
import Foundation
import Kafka
import ServiceKit
import Testing

/// `ORDERFLOW_KAFKA_OPTIONS`, `ORDERFLOW_KAFKA_OPTIONS_FILE` and `ORDERFLOW_KAFKA_PROFILE`,
/// as the services and orderctl read them.
@Suite struct KafkaSettingsTests {
    func temporaryFile(_ text: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("kafka-options-\(UUID().uuidString.prefix(8)).properties")
        try Data(text.utf8).write(to: url)
        return url
    }

    func message(_ body: () throws -> Void) -> String {
        do {
            try body()
            return "<no error>"
        } catch {
            return "\(error)"
        }
    }

    @Test func optionListIsSplitOnCommasAtTheFirstEquals() throws {
        #expect(try KafkaSettings.parseOptionList("") == [:])
        #expect(try KafkaSettings.parseOptionList("a=1, b = 2 ,,") == ["a": "1", "b": "2"])
        #expect(try KafkaSettings.parseOptionList("sasl.password=p=q=, x=") == ["sasl.password": "p=q=", "x": ""])
        #expect(try KafkaSettings.parseOptionList("a=1,a=2") == ["a": "2"])
    }

    @Test func malformedListEntryNamesItsPositionButNotItsText() {
        // A password containing a comma was put in the variable: the tail is no key=value.
        let text = message { _ = try KafkaSettings.parseOptionList("security.protocol=sasl_ssl,sasl.password=top,secretpart") }
        #expect(text.contains("ORDERFLOW_KAFKA_OPTIONS: entry 3 is not key=value"), "\(text)")
        #expect(text.contains("ORDERFLOW_KAFKA_OPTIONS_FILE"))
        #expect(!text.contains("secretpart") && !text.contains("top,"), "\(text)")
        let badKey = message { _ = try KafkaSettings.parseOptionList("my password is hunter2=x") }
        #expect(badKey.contains("entry 1") && !badKey.contains("hunter2"), "\(badKey)")
        let noKey = message { _ = try KafkaSettings.parseOptionList("=hunter2") }
        #expect(noKey.contains("entry 1") && !noKey.contains("hunter2"), "\(noKey)")
    }

    @Test func optionsFileKeepsCommasAndEqualsAndSkipsComments() throws {
        let text = """
            # SASL for the staging cluster

            security.protocol = sasl_ssl
              sasl.mechanisms=SCRAM-SHA-512
            sasl.password=a,b=c,d#e\r
            \t# indented comment
            ssl.ca.location=/etc/ssl/ca.pem
            linger.ms=1
            linger.ms=3
            """
        #expect(try KafkaSettings.parseOptionsFile(text, path: "f") == [
            "security.protocol": "sasl_ssl", "sasl.mechanisms": "SCRAM-SHA-512", "sasl.password": "a,b=c,d#e",
            "ssl.ca.location": "/etc/ssl/ca.pem", "linger.ms": "3",
        ])
        let crlf = try KafkaSettings.parseOptionsFile("a=1\r\n# c\r\n\r\nb=x,y\r\n", path: "f")
        #expect(crlf == ["a": "1", "b": "x,y"])
    }

    @Test func malformedFileLineNamesFileAndLineButNotTheValue() throws {
        let text = "# comment\nsecurity.protocol=sasl_ssl\n\nsasl.password topsecret\n"
        let error = message { _ = try KafkaSettings.parseOptionsFile(text, path: "/etc/orderflow/kafka.properties") }
        #expect(error.contains("ORDERFLOW_KAFKA_OPTIONS_FILE /etc/orderflow/kafka.properties line 4 is not key=value"), "\(error)")
        #expect(!error.contains("topsecret"), "\(error)")
        let spaced = message { _ = try KafkaSettings.parseOptionsFile("sasl password=topsecret", path: "p") }
        #expect(spaced.contains("p line 1") && !spaced.contains("topsecret"), "\(spaced)")
        let missing = message { _ = try KafkaSettings.readOptionsFile("/nonexistent/kafka.properties") }
        #expect(missing.contains("ORDERFLOW_KAFKA_OPTIONS_FILE /nonexistent/kafka.properties cannot be read"), "\(missing)")
    }

    @Test func fileAndVariableMergeAndTheVariableWins() throws {
        let file = try temporaryFile("sasl.username=alice\nsasl.password=from,file\nlinger.ms=5\n")
        defer { try? FileManager.default.removeItem(at: file) }
        let env = ["ORDERFLOW_KAFKA_OPTIONS_FILE": file.path, "ORDERFLOW_KAFKA_OPTIONS": "linger.ms=9,acks=all",
                   "ORDERFLOW_KAFKA_PROFILE": "production"]
        let settings = try KafkaSettings.resolve(environment: env)
        #expect(settings.profile == .production)
        #expect(settings.options == ["sasl.username": "alice", "sasl.password": "from,file", "linger.ms": "9", "acks": "all"])
        // Flags replace their variables.
        let other = try temporaryFile("acks=1\n")
        defer { try? FileManager.default.removeItem(at: other) }
        let flagged = try KafkaSettings.resolve(profile: .local, options: "client.rack=r1", optionsFile: other.path, environment: env)
        #expect(flagged.profile == .local && flagged.options == ["acks": "1", "client.rack": "r1"])
        #expect(try KafkaSettings.resolve(environment: [:]) == KafkaSettings(profile: .local, options: [:]))
        let profile = message { _ = try KafkaSettings.resolve(environment: ["ORDERFLOW_KAFKA_PROFILE": "fast"]) }
        #expect(profile.contains("ORDERFLOW_KAFKA_PROFILE='fast' is not one of local, production"))
    }

    @Test func servicesReadTheFileToo() throws {
        let file = try temporaryFile("# staging\nsasl.password=p,w\n")
        defer { try? FileManager.default.removeItem(at: file) }
        let options = try ServiceOptions.parse([])
        let config = try options.resolve(for: .billing, environment: [
            "ORDERFLOW_KAFKA_OPTIONS_FILE": file.path, "ORDERFLOW_KAFKA_OPTIONS": "security.protocol=sasl_ssl",
        ])
        #expect(config.kafkaOptions == ["sasl.password": "p,w", "security.protocol": "sasl_ssl"])
        #expect(!"\(config)".contains("p,w") && "\(config)".contains("sasl.password=[redacted]"), "\(config)")
        let flagged = try ServiceOptions.parse(["--kafka-options-file", file.path, "--kafka-options", "acks=1"])
        #expect(try flagged.resolve(for: .billing, environment: [:]).kafkaOptions == ["sasl.password": "p,w", "acks": "1"])
        let bad = try temporaryFile("ok=1\nsasl.password:hunter2\n")
        defer { try? FileManager.default.removeItem(at: bad) }
        let error = message { _ = try options.resolve(for: .billing, environment: ["ORDERFLOW_KAFKA_OPTIONS_FILE": bad.path]) }
        #expect(error.contains("line 2") && error.contains(bad.path) && !error.contains("hunter2"), "\(error)")
    }

    @Test func serviceClientsLayerProfileDefaultsAndOptions() throws {
        let options = try ServiceOptions.parse([])
        let local = try options.resolve(for: .intake, environment: ["ORDERFLOW_KAFKA_OPTIONS": "sasl.username=u"])
        let producer = OrderFlowService.kafkaConfig(local, role: "producer")
        #expect(producer.clientId == "orderflow-intake-producer")
        #expect(producer.profileOptions == KafkaClientConfig.localOptions && producer.options == ["sasl.username": "u"])
        let masterData = OrderFlowService.kafkaConfig(local, role: "masterdata")
        #expect(masterData.profileOptions["fetch.wait.max.ms"] == "250" && masterData.options["fetch.wait.max.ms"] == nil)

        let tuned = try options.resolve(for: .intake, environment: ["ORDERFLOW_KAFKA_OPTIONS": "fetch.wait.max.ms=50"])
        #expect(OrderFlowService.kafkaConfig(tuned, role: "masterdata").options["fetch.wait.max.ms"] == "50")

        let production = try options.resolve(for: .intake, environment: ["ORDERFLOW_KAFKA_PROFILE": "production",
                                                                         "ORDERFLOW_KAFKA_OPTIONS": "linger.ms=2"])
        for role in ["producer", "consumer", "masterdata"] {
            let client = OrderFlowService.kafkaConfig(production, role: role)
            #expect(client.profileOptions.isEmpty && client.options == ["linger.ms": "2"], "\(role)")
        }
    }
}
