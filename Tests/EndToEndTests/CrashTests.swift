import Foundation
import OrderModel
import Testing

/// Kill -9 every service once in the middle of a 200-order run and restart it: every
/// order still completes, exactly one invoice each, no status change under two ids.
@Suite(.serialized) struct CrashTests {
    @Test func killingEachServiceMidRunLosesNothingAndDoublesNothing() async throws {
        // The warehouse and billing kill themselves inside the window that matters: after
        // their database commit, before publishing / committing offsets.
        try await Pipeline.run { pipeline in
            try await pipeline.loadMasterData(EndToEndTests.roomyMasterData())
            try await pipeline.receiveDemoStock(times: 6)
            _ = await pipeline.stopService("warehouse", signal: SIGKILL)
            // Its second inbox batch: the orders come in two halves two seconds apart, so there
            // are always at least two (batches are larger, and so fewer, since they end as soon
            // as the local queue is empty).
            try pipeline.startService("warehouse", environment: ["ORDERFLOW_CRASH_AT": "after-db-commit:2"])
            _ = await pipeline.stopService("billing", signal: SIGKILL)
            try pipeline.startService("billing", environment: ["ORDERFLOW_CRASH_AT": "after-publish:3"])
            try await pipeline.waitReady("warehouse")
            try await pipeline.waitReady("billing")

            let submissions = try EndToEndTests.demoSubmissions(200, run: "CRASH")
            let externals = Set(submissions.map { $0.externalOrderId! })
            try await pipeline.submit(Array(submissions.prefix(100)))

            // External kill -9 of the other three, at different moments, while orders flow.
            var plan: [(after: Duration, service: String)] = [(.seconds(1), "intake"), (.seconds(3), "review"), (.seconds(6), "logistics")]
            let started = ContinuousClock.now
            var restarted: Set<String> = []
            var secondHalfSent = false
            try await EndToEndTests.driveToCompletion(pipeline, externals: externals, timeout: .seconds(300)) {
                if let next = plan.first, ContinuousClock.now - started >= next.after {
                    plan.removeFirst()
                    _ = await pipeline.stopService(next.service, signal: SIGKILL)
                    try pipeline.startService(next.service)
                    restarted.insert(next.service)
                }
                if !secondHalfSent, ContinuousClock.now - started >= .seconds(2) {
                    secondHalfSent = true
                    try await pipeline.submit(Array(submissions.suffix(100)))
                }
                // A service that killed itself at its crash point is restarted without it.
                for service in ["warehouse", "billing"] where !pipeline.isRunning(service) {
                    _ = await pipeline.stopService(service)
                    try pipeline.startService(service)
                    restarted.insert(service)
                }
            }
            #expect(restarted == Set(Pipeline.services), "every service was killed and restarted once: \(restarted)")
            #expect(pipeline.logTail("warehouse", lines: 10_000).contains("crash point after-db-commit reached"))
            #expect(pipeline.logTail("billing", lines: 10_000).contains("crash point after-publish reached"))
            EndToEndTests.expectNoDuplicateStatusEvents(pipeline, externals: externals)
            EndToEndTests.expectOneInvoicePerOrder(pipeline, externals: externals)
        }
    }
}
