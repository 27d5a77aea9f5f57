import Foundation
import Testing

/// A real service started with `ORDERFLOW_LOG_FORMAT=json` writes nothing but JSON lines,
/// from start to graceful stop, librdkafka's own lines included; an unknown format stops it
/// before it starts, saying which values are allowed.
@Suite(.serialized) struct JSONLogTests {
    @Test func aServiceLoggingJsonWritesOnlyJsonLinesWithSecretsRedacted() async throws {
        let pipeline = try await Pipeline.start(services: [])
        do {
            // A secret in the Kafka options: the `starting` line shows it redacted.
            try pipeline.startService("intake", environment: [
                "ORDERFLOW_LOG_FORMAT": "json", "ORDERFLOW_LOG_LEVEL": "debug",
                "ORDERFLOW_KAFKA_OPTIONS": "sasl.password=top\"secret",
            ])
            try await pipeline.waitReady("intake")
            try await pipeline.submit([Submissions.valid("JSONLOG-1")])
            // Not JSON at all: dead-lettered, with a warning that carries the reason.
            try await pipeline.sendRaw(Array("not json\n\"at all".utf8), to: .submitted, key: "JSONLOG-2")
            try await pipeline.feed.wait(timeout: .seconds(60), "JSONLOG-1 received") { pipeline.feed.statuses(external: "JSONLOG-1") == [.received] }
            try await pipeline.feed.wait(timeout: .seconds(60), "a dead letter") { !pipeline.feed.deadLettered.isEmpty }
            let status = await pipeline.stopService("intake")
            #expect(status == 0)

            let log = pipeline.logTail("intake", lines: 100_000)
            let lines = log.split(separator: "\n")
            #expect(lines.count > 5, "\(log)")
            var messages: [String] = []
            for line in lines {
                guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String] else {
                    Issue.record("not a JSON object of strings: \(line)")
                    continue
                }
                #expect(object["service"] == "intake" && object["time"] != nil && object["level"] != nil && object["logger"] != nil, "\(line)")
                messages.append(object["message"] ?? "")
                if object["message"] == "starting" {
                    #expect(object["kafka.options"] == "sasl.password=[redacted]", "\(line)")
                }
                if object["message"] == "message sent to the dead letter" {
                    #expect(object["kafka.topic"] == pipeline.topics.name(.submitted) && object["deadletter.reason"] != nil, "\(line)")
                }
            }
            #expect(!log.contains("top\"secret") && !log.contains(#"top\"secret"#), "the secret never reaches the log")
            #expect(messages.first == "starting" && messages.last == "stopped", "\(messages)")
            #expect(messages.contains("message sent to the dead letter"), "\(messages)")
        } catch {
            await pipeline.stop()
            throw error
        }
        await pipeline.stop()
    }

    @Test func anUnknownLogFormatStopsTheServiceWithTheAllowedValues() async throws {
        let pipeline = try await Pipeline.start(services: [])
        do {
            try pipeline.startService("intake", environment: ["ORDERFLOW_LOG_FORMAT": "xml"])
            let status = await pipeline.waitForExit("intake", timeout: .seconds(30))
            let log = pipeline.logTail("intake", lines: 1000)
            #expect(status != nil && status != 0, "exit status \(String(describing: status)); log:\n\(log)")
            #expect(log.contains("ORDERFLOW_LOG_FORMAT='xml' is not one of text, json"), "\(log)")
        } catch {
            await pipeline.stop()
            throw error
        }
        await pipeline.stop()
    }
}
