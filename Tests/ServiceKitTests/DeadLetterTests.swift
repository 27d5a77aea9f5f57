import Foundation
import Kafka
import OrderModel
import ServiceKit
import Testing

@Suite struct DeadLetterTests {
    func letter(partition: Int32 = 2, offset: Int64 = 17, value: String? = "{bad", extra: [KafkaHeader] = [], time: Date? = Date(timeIntervalSince1970: 1_000)) -> KafkaMessage {
        KafkaMessage(topic: "p.orders.deadletter", partition: partition, offset: offset, key: Array("shop:X-1".utf8), value: value.map { Array($0.utf8) },
                     headers: [
                        KafkaHeader(key: "original.content-type", value: "application/json"),
                        KafkaHeader(key: "original.traceparent", value: "00-abc-def-01"),
                        KafkaHeader(key: "reason", value: "not_json"), KafkaHeader(key: "reason.detail", value: "the value is not valid JSON"),
                        KafkaHeader(key: "service", value: "intake"), KafkaHeader(key: "source.offset", value: "41"),
                        KafkaHeader(key: "source.partition", value: "0"), KafkaHeader(key: "source.topic", value: "p.orders.submitted"),
                     ] + extra, timestamp: time)
    }

    @Test func aDeadLetterIsReadFromItsHeaders() throws {
        let dead = try #require(DeadLetter(letter()))
        #expect(dead.id == "2:17" && dead.reason == "not_json" && dead.service == "intake" && dead.detail == "the value is not valid JSON")
        #expect(dead.sourceTopic == "p.orders.submitted" && dead.sourcePartition == 0 && dead.sourceOffset == 41)
        #expect(dead.originalHeaders == [KafkaHeader(key: "content-type", value: "application/json"), KafkaHeader(key: "traceparent", value: "00-abc-def-01")])
        #expect(dead.replayKey.hasPrefix("p.orders.submitted/0/41/") && dead.replayKey.count == "p.orders.submitted/0/41/".count + 16)
        #expect(dead.replayProblem == nil)
        #expect(DeadLetter(KafkaMessage(topic: "t", partition: 0, offset: 0, key: nil, value: nil)) == nil)
        #expect(DeadLetter.position(of: "2:17")! == (2, 17))
        for bad in ["2", "a:1", "1:-1", "2:17:1", ":"] { #expect(DeadLetter.position(of: bad) == nil, "\(bad)") }
    }

    @Test func aReplaySendsTheOriginalKeyBytesAndHeadersToTheOriginalTopic() throws {
        let dead = try #require(DeadLetter(letter()))
        let message = try #require(dead.replayMessage())
        #expect(message.topic == "p.orders.submitted" && message.key == Array("shop:X-1".utf8) && message.value == Array("{bad".utf8))
        #expect(message.headers == [KafkaHeader(key: "content-type", value: "application/json"), KafkaHeader(key: "traceparent", value: "00-abc-def-01"),
                                    KafkaHeader(key: "replay.deadletter", value: "2:17")])
        // The replay key names the original message: the same for a copy of the letter elsewhere, another for other bytes.
        #expect(DeadLetter(letter(partition: 0, offset: 3))?.replayKey == dead.replayKey)
        #expect(DeadLetter(letter(value: "{other"))?.replayKey != dead.replayKey)
    }

    @Test func aLetterWithoutItsBodyCannotBeReplayedAndSaysWhereTheOriginalIs() throws {
        let dead = try #require(DeadLetter(letter(value: nil, extra: [KafkaHeader(key: "body.omitted", value: "too_large"),
                                                                      KafkaHeader(key: "body.bytes", value: "2000000")])))
        let problem = try #require(dead.replayProblem)
        #expect(problem.contains("body was omitted (too_large, 2000000 bytes)") && problem.contains("p.orders.submitted partition 0 offset 41"))
        #expect(dead.replayMessage() == nil)
        #expect(DeadLetterReplayDecision.decide(dead, replays: [:], force: true) == .cannotReplay(problem))
    }

    @Test func aSecondReplayIsRefusedUnlessForced() throws {
        let dead = try #require(DeadLetter(letter()))
        #expect(DeadLetterReplayDecision.decide(dead, replays: [:], force: false) == .replay(forced: false))
        let record = DeadLetterReplayRecord(letter: dead, topic: "p.orders.submitted", partition: 0, offset: 99, replayedAt: Date(), replayedBy: "ops@host", forced: false)
        let replays = [dead.replayKey: record]
        #expect(DeadLetterReplayDecision.decide(dead, replays: replays, force: false) == .alreadyReplayed(record))
        #expect(DeadLetterReplayDecision.decide(dead, replays: replays, force: true) == .replay(forced: true))
        let decoded = try OrderFlowJSON.decode(DeadLetterReplayRecord.self, from: OrderFlowJSON.encode(record))
        #expect(decoded.replayKey == record.replayKey && decoded.deadLetter == "2:17" && decoded.offset == 99)
    }

    @Test func filtersSelectByReasonServiceTopicAndTime() throws {
        let dead = try #require(DeadLetter(letter()))
        #expect(DeadLetterFilter().matches(dead) && DeadLetterFilter().isEmpty)
        #expect(DeadLetterFilter(reasons: ["not_json", "too_large"]).matches(dead))
        #expect(!DeadLetterFilter(reasons: ["too_large"]).matches(dead))
        #expect(DeadLetterFilter(services: ["intake"]).matches(dead) && !DeadLetterFilter(services: ["billing"]).matches(dead))
        #expect(DeadLetterFilter(sourceTopics: ["p.orders.submitted"]).matches(dead) && !DeadLetterFilter(sourceTopics: ["p.orders.billing"]).matches(dead))
        #expect(DeadLetterFilter(since: Date(timeIntervalSince1970: 999)).matches(dead))
        #expect(!DeadLetterFilter(since: Date(timeIntervalSince1970: 1_001)).matches(dead))
        #expect(!DeadLetterFilter(since: Date(timeIntervalSince1970: 0)).matches(try #require(DeadLetter(letter(time: nil)))))
        #expect(!DeadLetterFilter(reasons: ["not_json"], services: ["review"]).matches(dead))
        let now = Date(timeIntervalSince1970: 100_000)
        #expect(DeadLetterFilter.parseSince("2h", now: now) == now.addingTimeInterval(-7200))
        #expect(DeadLetterFilter.parseSince("2026-12-02T08:00:00Z") == Timestamp.parse("2026-12-02T08:00:00Z"))
        #expect(DeadLetterFilter.parseSince("last week") == nil)
    }
}
