import Foundation
import Kafka
import OrderModel
import Testing

/// `orderctl deadletter list/replay` against the real intake and broker: a submission
/// dead-lettered because intake's limits were set too tight, the limits fixed, the letter
/// replayed (original key, bytes and headers) and processed; a second replay refused, and
/// `--force` replaying it all the same.
@Suite(.serialized) struct DeadLetterReplayTests {
    func orderctl(_ pipeline: Pipeline, _ arguments: [String]) throws -> (status: Int32, output: String) {
        try runProgram(pipeline.binDir.appendingPathComponent("orderctl"), arguments, environment: pipeline.baseEnvironment)
    }

    struct Listed: Decodable {
        var id: String
        var reason: String
        var service: String
        var replayable: Bool
        var replayedTo: String?
        var originalHeaders: [String: String]
    }

    struct Outcome: Decodable {
        var id: String
        var outcome: String
        var detail: String
    }

    static let traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"

    @Test func aFixedCauseIsReplayedOnceAndProcessed() async throws {
        let pipeline = try await Pipeline.start(environment: ["ORDERFLOW_INTAKE_MAX_FIELD_LENGTH": "12"], services: ["intake"])
        do {
            // A shop whose order ids are longer than intake was (wrongly) configured for; the
            // submission carries a header of its own (a trace context).
            let external = "LONG-ORDER-0001"
            let key = "e2e-shop:\(external)"
            _ = try await pipeline.producer.send(KafkaOutgoingMessage(
                topic: pipeline.topics.name(.submitted), key: Array(key.utf8),
                value: Array(try OrderFlowJSON.encoder.encode(Submissions.valid(external))),
                headers: [KafkaHeader(key: "traceparent", value: Self.traceparent)]))
            try await pipeline.submitRaw(Array("{not json".utf8), key: "e2e-shop:BROKEN")
            try await pipeline.feed.wait(timeout: .seconds(60), "two dead letters") { pipeline.feed.deadLettered.count == 2 }

            // list, for people and as JSON, with filters
            let list = try orderctl(pipeline, ["deadletter", "list"])
            #expect(list.status == 0 && list.output.contains("too_large") && list.output.contains("not_json")
                    && list.output.contains("2 dead letter(s) of 2"), "\(list.output)")
            let json = try orderctl(pipeline, ["deadletter", "list", "--reason", "too_large", "--json"])
            #expect(json.status == 0, "\(json.output)")
            let listed = try JSONDecoder().decode([Listed].self, from: Data(json.output.utf8))
            let letter = try #require(listed.first)
            #expect(listed.count == 1 && letter.reason == "too_large" && letter.service == "intake" && letter.replayable && letter.replayedTo == nil)
            #expect(letter.originalHeaders == ["traceparent": Self.traceparent], "\(letter.originalHeaders)")
            let billing = try orderctl(pipeline, ["deadletter", "list", "--service", "billing"])
            #expect(billing.output.contains("0 dead letter(s) matching of 2"), "\(billing.output)")
            let recent = try orderctl(pipeline, ["deadletter", "list", "--since", "1h", "--topic", "orders.submitted"])
            #expect(recent.output.contains("2 dead letter(s) matching of 2"), "\(recent.output)")
            let later = try orderctl(pipeline, ["deadletter", "list", "--since", Timestamp.format(Date().addingTimeInterval(3600))])
            #expect(later.output.contains("0 dead letter(s) matching of 2"), "\(later.output)")

            // Nothing is replayed without saying which, nor an id that is not there.
            let unselected = try orderctl(pipeline, ["deadletter", "replay"])
            #expect(unselected.status != 0 && unselected.output.contains("say which dead letters"), "\(unselected.output)")
            let unknown = try orderctl(pipeline, ["deadletter", "replay", "0:999"])
            #expect(unknown.status == 1 && unknown.output.contains("0:999: not found"), "\(unknown.output)")

            // The fix: intake with its documented limits.
            _ = await pipeline.stopService("intake")
            try pipeline.startService("intake", environment: ["ORDERFLOW_INTAKE_MAX_FIELD_LENGTH": "200"])
            try await pipeline.waitReady("intake")

            let dry = try orderctl(pipeline, ["deadletter", "replay", letter.id, "--dry-run"])
            #expect(dry.status == 0 && dry.output.contains("would replay"), "\(dry.output)")
            let replay = try orderctl(pipeline, ["deadletter", "replay", letter.id])
            #expect(replay.status == 0 && replay.output.contains("\(letter.id): replayed: to e2e.orders.submitted[")
                    && replay.output.contains("replayed 1 of 1 selected"), "\(replay.output)")
            try await pipeline.feed.wait(timeout: .seconds(60), "the replayed order received") { pipeline.feed.orderId(external: external) != nil }
            #expect(pipeline.feed.statuses(external: external).first == .received)

            // The replayed copy: the original key, bytes and headers, marked as a replay.
            let copy = try await Self.firstMessage(in: pipeline, topic: .submitted) { message in
                message.headers.contains { $0.key == "replay.deadletter" }
            }
            #expect(copy.keyString == key)
            #expect(copy.headers.contains(KafkaHeader(key: "traceparent", value: Self.traceparent)))
            #expect(copy.headers.contains(KafkaHeader(key: "replay.deadletter", value: letter.id)))
            #expect(try OrderFlowJSON.decode(OrderSubmission.self, from: Data(copy.value ?? [])).externalOrderId == external)

            // A second replay is refused, from any machine: the replay is recorded on Kafka.
            let again = try orderctl(pipeline, ["deadletter", "replay", letter.id])
            #expect(again.status == 1 && again.output.contains("\(letter.id): refused: already replayed at")
                    && again.output.contains("--force"), "\(again.output)")
            let shown = try orderctl(pipeline, ["deadletter", "list", "--reason", "too_large"])
            #expect(shown.output.contains("replayed "), "\(shown.output)")

            // --force replays it all the same (intake recognises the repeat by its own rule).
            let forced = try orderctl(pipeline, ["deadletter", "replay", "--reason", "too_large", "--force", "--json"])
            #expect(forced.status == 0, "\(forced.output)")
            let outcomes = try JSONDecoder().decode([Outcome].self, from: Data(forced.output.utf8))
            #expect(outcomes.count == 1 && outcomes.first?.outcome == "replayed" && outcomes.first?.detail.contains("forced") == true, "\(outcomes)")
        } catch {
            print("--- intake log ---\n\(pipeline.logTail("intake"))")
            await pipeline.stop()
            throw error
        }
        await pipeline.stop()
    }

    /// The first message of `topic` (from the beginning) that satisfies `condition`.
    static func firstMessage(in pipeline: Pipeline, topic: Topic, timeout: Duration = .seconds(30),
                             where condition: (KafkaMessage) -> Bool) async throws -> KafkaMessage {
        let consumer = try KafkaConsumer(config: KafkaConsumerConfig(client: pipeline.broker.clientConfig(clientId: "e2e-reader"), mode: .assignAll,
                                                                     topics: [pipeline.topics.name(topic)]), logger: Pipeline.logger)
        let deadline = ContinuousClock.now + timeout
        var found: KafkaMessage?
        while found == nil, ContinuousClock.now < deadline {
            guard let batch = try? await consumer.poll(maxMessages: 500, maxWait: .milliseconds(200)) else { break }
            found = batch.first(where: condition)
        }
        await consumer.close()
        guard let found else { throw PipelineError("no message on \(topic.rawValue) as wanted within \(timeout)") }
        return found
    }
}
