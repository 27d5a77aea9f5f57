import Foundation
import Logging
import ServiceKit
import Synchronization
import Testing

/// `ORDERFLOW_LOG_FORMAT=json`: every record is one line holding one JSON object.
@Suite struct JSONLogHandlerTests {
    /// Collects what a handler writes. The sink appends byte by byte, each under its own
    /// lock, so two lines written at once would interleave if `LogLineOutput` did not keep
    /// them apart.
    final class Collector: Sendable {
        let bytes = Mutex<[UInt8]>([])
        var output: LogLineOutput {
            LogLineOutput { [self] line in
                for byte in line { bytes.withLock { $0.append(byte) } }
            }
        }
        var text: String { String(decoding: bytes.withLock { $0 }, as: UTF8.self) }

        /// Each line parsed as a JSON object of strings; fails the test for any that is not.
        func objects(sourceLocation: SourceLocation = #_sourceLocation) -> [[String: String]] {
            let text = self.text
            #expect(text.hasSuffix("\n"), "every line ends with a newline", sourceLocation: sourceLocation)
            return text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().compactMap { line in
                let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String]
                #expect(object != nil, "not a JSON object of strings: \(line)", sourceLocation: sourceLocation)
                return object
            }
        }
    }

    func logger(_ collector: Collector, level: Logger.Level = .trace) -> Logger {
        let output = collector.output
        return Logger(label: "orderflow.test") { label in JSONLogHandler(label: label, service: "intake", level: level, output: output) }
    }

    @Test func fixedFieldsThenMetadataAsStrings() throws {
        let collector = Collector()
        var logger = logger(collector)
        logger[metadataKey: "service"] = "intake"
        logger[metadataKey: "kafka.group"] = "orderflow-intake"
        let before = Date()
        logger.info("batch committed", metadata: [
            "order.id": "ord_01", "kafka.partition": .stringConvertible(3), "event.ids": ["a", "b"],
        ])
        let lines = collector.objects()
        try #require(lines.count == 1)
        let line = lines[0]
        #expect(line["level"] == "info" && line["service"] == "intake" && line["logger"] == "orderflow.test")
        #expect(line["message"] == "batch committed")
        #expect(line["order.id"] == "ord_01" && line["kafka.partition"] == "3" && line["kafka.group"] == "orderflow-intake")
        #expect(line["event.ids"] == #"["a", "b"]"#, "nested metadata is written as its description")
        #expect(line["metadata.service"] == nil, "metadata that repeats a fixed field is not written twice")
        // RFC 3339, UTC, milliseconds.
        let time = try #require(line["time"])
        #expect(time.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/) != nil, "\(time)")
        let parsed = try #require(try? Date(time, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)))
        #expect(abs(parsed.timeIntervalSince(before)) < 60)
        #expect(collector.text.hasPrefix(#"{"time":"#), "time comes first, for people reading the raw lines")
    }

    @Test func quotesNewlinesControlCharactersAndUnicodeStayOnOneLine() throws {
        let collector = Collector()
        let awkward = "say \"hi\"\\ \n second line\r\ttab \u{1} bell, Grüße 東京 🚚"
        logger(collector).error("\(awkward)", metadata: ["reason.detail": "\(awkward)", "key \"quoted\"\n": "v"])
        let lines = collector.objects()
        try #require(lines.count == 1, "one record, one line: \(collector.text)")
        #expect(lines[0]["message"] == awkward)
        #expect(lines[0]["reason.detail"] == awkward)
        #expect(lines[0]["key \"quoted\"\n"] == "v")
    }

    @Test func everyLevelByNameAndBelowTheLevelNothing() throws {
        let collector = Collector()
        let all = logger(collector)
        for level in Logger.Level.allCases { all.log(level: level, "at \(level)") }
        #expect(collector.objects().map { $0["level"] } == Logger.Level.allCases.map(\.rawValue))

        let quiet = Collector()
        let warnings = logger(quiet, level: .warning)
        warnings.info("not written")
        warnings.debug("not written")
        warnings.warning("written")
        #expect(quiet.objects().map { $0["message"] } == ["written"])
    }

    @Test func metadataNamedLikeAFixedFieldKeepsTheFixedFieldsMeaning() throws {
        let collector = Collector()
        logger(collector).notice("the message", metadata: ["message": "other", "level": "fake", "service": "billing"])
        let line = try #require(collector.objects().first)
        #expect(line["message"] == "the message" && line["level"] == "notice" && line["service"] == "intake")
        #expect(line["metadata.message"] == "other" && line["metadata.level"] == "fake" && line["metadata.service"] == "billing")
    }

    @Test func linesLoggedConcurrentlyNeverInterleave() async throws {
        let collector = Collector()
        let logger = logger(collector)
        await withTaskGroup(of: Void.self) { group in
            for task in 0..<8 {
                group.addTask {
                    for index in 0..<100 { logger.info("line \(index) of task \(task)", metadata: ["task": "\(task)"]) }
                }
            }
        }
        let lines = collector.objects()
        #expect(lines.count == 800)
        #expect(Set(lines.compactMap { $0["message"] }).count == 800)
    }
}
