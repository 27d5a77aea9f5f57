import Foundation
import Kafka
import OrderModel
import Testing

/// Oversized input through the real intake executable and broker: refused with a reason,
/// never a stuck service; and an event the broker refuses for good is parked, shown by
/// readiness, listed and re-driven with `orderctl parked`.
@Suite(.serialized) struct OversizeTests {
    /// A submission of `lines` lines of PUMP-200: 8000 lines make an `order.received` of
    /// well over the 1 MB the broker and librdkafka take by default.
    static func bulky(_ external: String, lines: Int) -> OrderSubmission {
        Submissions.valid(external, lines: Array(repeating: ("PUMP-200", 1, "1180.00"), count: lines))
    }

    static func orderctl(_ pipeline: Pipeline, _ arguments: [String]) throws -> (status: Int32, output: String) {
        try runProgram(pipeline.binDir.appendingPathComponent("orderctl"), arguments, environment: pipeline.baseEnvironment)
    }

    @Test func oversizedSubmissionsAreRefusedWithTooLargeAndIntakeGoesOn() async throws {
        let pipeline = try await Pipeline.start(services: ["intake"])
        do {
            let identity = String(repeating: "E", count: 300)
            try await pipeline.submit([Self.bulky("BIG-1", lines: 8000), Submissions.valid(identity), Submissions.valid("AFTER-BIG")])
            // Their status events may sit on different partitions: wait for both.
            try await pipeline.feed.wait(timeout: .seconds(60), "AFTER-BIG received and BIG-1 refused") {
                pipeline.feed.statuses(external: "AFTER-BIG") == [.received] && pipeline.feed.latest(external: "BIG-1") != nil
            }
            let big = try #require(pipeline.feed.latest(external: "BIG-1"))
            #expect(big.status == .rejected)
            #expect(!(big.reasons ?? []).isEmpty && (big.reasons ?? []).allSatisfy { $0.code == .tooLarge }, "\(big.reasons ?? [])")
            #expect(big.reasons?.contains { $0.message == "the submission has 8000 lines; at most 500 are taken" } == true)
            // An identity too long for a status event: dead-lettered, with the reason.
            try await pipeline.feed.wait(timeout: .seconds(30), "the dead letter") { !pipeline.feed.deadLettered.isEmpty }
            let reason = pipeline.feed.deadLettered.first?.headers.first { $0.key == "reason" }?.value
            #expect(reason.map { String(decoding: $0, as: UTF8.self) } == "too_large")
            #expect(try await pipeline.http("intake", "/ready").0 == 200)
        } catch {
            print("--- intake log ---\n\(pipeline.logTail("intake"))")
            await pipeline.stop()
            throw error
        }
        await pipeline.stop()
    }

    @Test func anEventTheBrokerRefusesIsParkedShownByReadinessAndReDrivenOnce() async throws {
        // Intake takes big orders here, but its producer takes messages of at most 200 kB:
        // the `order.received` of a 2000-line order is refused for good (MSG_SIZE_TOO_LARGE).
        let generous = ["ORDERFLOW_INTAKE_MAX_LINES": "100000", "ORDERFLOW_INTAKE_MAX_SUBMISSION_BYTES": "10000000"]
        let small = generous.merging(["ORDERFLOW_KAFKA_OPTIONS": "message.max.bytes=200000"]) { $1 }
        let pipeline = try await Pipeline.start(services: [])
        let review = try KafkaConsumer(config: KafkaConsumerConfig(client: pipeline.broker.clientConfig(clientId: "e2e-review"), mode: .assignAll,
                                                                   topics: [pipeline.topics.name(.review)]), logger: Pipeline.logger)
        do {
            try pipeline.startService("intake", environment: small)
            try await pipeline.waitReady("intake")
            try await pipeline.submit([Self.bulky("PARK-1", lines: 2000), Submissions.valid("PARK-2")])
            // The next order goes on; the parked one's status went out before its event was refused.
            try await pipeline.feed.wait(timeout: .seconds(60), "PARK-2 received") { pipeline.feed.statuses(external: "PARK-2") == [.received] }
            #expect(pipeline.feed.statuses(external: "PARK-1") == [.received])
            let ready = try await pipeline.http("intake", "/ready")
            #expect(ready.0 == 503 && ready.1.contains(#""outbox":"1 outbox rows parked"#), "\(ready.1)")
            let metrics = try await pipeline.http("intake", "/metrics").1
            #expect(metrics.contains(#"orderflow_outbox_parked{service="intake"} 1"#), "\(metrics.prefix(2000))")

            let address = "http://127.0.0.1:\(pipeline.ports["intake"]!)"
            let list = try Self.orderctl(pipeline, ["parked", "list", "--service", address])
            #expect(list.status == 0 && list.output.contains("1 parked") && list.output.contains("order.received")
                    && list.output.contains("MSG_SIZE_TOO_LARGE"), "\(list.output)")

            // The operator lifts the limit (restart without it) and re-drives: published once.
            _ = await pipeline.stopService("intake")
            try pipeline.startService("intake", environment: generous)
            let up = ContinuousClock.now + .seconds(60)
            while (try? await pipeline.http("intake", "/health"))?.0 != 200, ContinuousClock.now < up {
                try await Task.sleep(for: .milliseconds(200))
            }
            let redrive = try Self.orderctl(pipeline, ["parked", "redrive", "--service", address])
            #expect(redrive.status == 0 && redrive.output.contains("re-driven: 1") && redrive.output.contains("parked again: 0"), "\(redrive.output)")
            try await pipeline.waitReady("intake")

            var received: [String: Int] = [:]
            let deadline = ContinuousClock.now + .seconds(30)
            while received["PARK-1", default: 0] < 1 || received["PARK-2", default: 0] < 1, ContinuousClock.now < deadline {
                for message in try await review.poll(maxMessages: 100, maxWait: .milliseconds(200)) ?? [] {
                    if let value = message.value, let event = try? EventRegistry.standard.decode(value),
                       let order = (event.payload as? OrderReceived)?.order {
                        received[order.externalOrderId, default: 0] += 1
                    }
                }
            }
            #expect(received == ["PARK-1": 1, "PARK-2": 1])
        } catch {
            print("--- intake log ---\n\(pipeline.logTail("intake", lines: 60))")
            await review.close()
            await pipeline.stop()
            throw error
        }
        await review.close()
        await pipeline.stop()
    }
}
