import Foundation
import OrderModel
import Testing

/// With SQLite each service runs as one replica: a second member of the same consumer group
/// (another machine, its own database file) is refused at start, while the first keeps
/// running; a restart after kill -9, whose dead member lingers in the group until its session
/// times out, is not refused.
@Suite(.serialized) struct SecondReplicaTests {
    @Test func aSecondReplicaInTheSameGroupExitsNonZeroAndTheFirstKeepsWorking() async throws {
        let pipeline = try await Pipeline.start(services: ["warehouse"])
        do {
            try await receive(7, pipeline)
            try await waitForOnHand(7, pipeline)
            // Same executable, same group and broker, its own database file and port.
            try pipeline.startService("warehouse", as: "warehouse-2")
            // While it holds its inbox, its /ready says so (503, with the reason).
            var heldAndNotReady = false
            var answers: [String] = []
            let watchUntil = ContinuousClock.now + .seconds(120)  // joining can take long while the whole suite runs
            while !heldAndNotReady, pipeline.isRunning("warehouse-2"), ContinuousClock.now < watchUntil {
                if let (code, body) = try? await pipeline.http("warehouse-2", "/ready") {
                    heldAndNotReady = code == 503 && body.contains("another member is in its consumer group")
                    if answers.last != "\(code) \(body)" { answers.append("\(code) \(body)") }
                }
                try await Task.sleep(for: .milliseconds(200))
            }
            #expect(heldAndNotReady, "the held replica's /ready said why it is not ready; it answered: \(answers); log:\n\(pipeline.logTail("warehouse-2", lines: 40))")
            // Local profile: session timeout 6 s + 5 s margin before the refusal.
            let status = await pipeline.waitForExit("warehouse-2", timeout: .seconds(60))
            let log = pipeline.logTail("warehouse-2", lines: 10_000)
            #expect(status != nil, "the second replica still runs; log:\n\(log)")
            if let status { #expect(status != 0, "exit status \(status); log:\n\(log)") }
            #expect(log.contains("another member is in consumer group orderflow-warehouse"), "says what it saw; log:\n\(log)")
            #expect(log.contains("The SQLite backend holds one replica's state"), "says why; log:\n\(log)")
            #expect(!log.contains("Fatal error"), "a refusal, not a crash; log:\n\(log)")

            #expect(pipeline.isRunning("warehouse"), "the first replica keeps running; log:\n\(pipeline.logTail("warehouse"))")
            // It holds (503) until the group has rebalanced after the refused one left; the local
            // broker can take tens of seconds for that rebalance.
            try await pipeline.waitReady("warehouse", timeout: .seconds(90))
            // …and processes its whole inbox again once the second one has left.
            try await receive(5, pipeline)
            try await waitForOnHand(12, pipeline)
            #expect(!pipeline.logTail("warehouse", lines: 10_000).contains("refusing"))
        } catch {
            print("--- warehouse ---\n\(pipeline.logTail("warehouse"))\n--- warehouse-2 ---\n\(pipeline.logTail("warehouse-2"))")
            await pipeline.stop()
            throw error
        }
        await pipeline.stop()
    }

    @Test func aRestartAfterKill9IsNotRefused() async throws {
        let pipeline = try await Pipeline.start(services: ["warehouse"])
        do {
            try await receive(3, pipeline)
            try await waitForOnHand(3, pipeline)
            // kill -9: no LeaveGroup, the dead member stays in the group until its session times
            // out; its database lock goes with the process.
            _ = await pipeline.stopService("warehouse", signal: SIGKILL)
            try pipeline.startService("warehouse")
            try await pipeline.waitReady("warehouse", timeout: .seconds(60))
            try await receive(4, pipeline)
            try await waitForOnHand(7, pipeline)
            // Past the time a second replica would have been refused (6 s session + 5 s margin).
            try await Task.sleep(for: .seconds(13))
            let log = pipeline.logTail("warehouse", lines: 10_000)
            #expect(pipeline.isRunning("warehouse"), "the restarted service runs; log:\n\(log)")
            #expect(!log.contains("refusing"), "log:\n\(log)")
            try await pipeline.waitReady("warehouse", timeout: .seconds(5))
        } catch {
            print("--- warehouse ---\n\(pipeline.logTail("warehouse"))")
            await pipeline.stop()
            throw error
        }
        await pipeline.stop()
    }

    private func receive(_ quantity: Int, _ pipeline: Pipeline) async throws {
        try await pipeline.send(StockReceived(sku: SKU("PUMP-200"), quantity: quantity, reference: "E2E-\(UUID().uuidString.prefix(8))"),
                                to: .warehouse, key: "PUMP-200")
    }

    /// Waits until the warehouse's `/stock` shows `quantity` PUMP-200 on hand.
    private func waitForOnHand(_ quantity: Int, _ pipeline: Pipeline) async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        var last = ""
        while ContinuousClock.now < deadline {
            if let (code, body) = try? await pipeline.http("warehouse", "/stock"), code == 200 {
                last = body
                let levels = try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: [String: Any]]
                if (levels?["PUMP-200"]?["onHand"] as? NSNumber)?.intValue == quantity { return }
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw PipelineError("PUMP-200 on hand never reached \(quantity); last /stock: \(last)")
    }
}
