import Foundation
import Testing

/// A service whose producer hits a fatal librdkafka error while its inbox is idle does not
/// tick on unable to publish: it exits non-zero and says why (containers restart it).
@Suite(.serialized) struct FatalErrorExitTests {
    @Test func fatalProducerErrorWhileIdleExitsNonZeroWithTheReason() async throws {
        let pipeline = try await Pipeline.start(services: [])
        do {
            // Nothing is submitted: the inbox is idle when the producer fails.
            try pipeline.startService("intake", environment: ["ORDERFLOW_FATAL_AFTER_MS": "5000"])
            let status = await pipeline.waitForExit("intake", timeout: .seconds(60))
            let log = pipeline.logTail("intake", lines: 10_000)
            #expect(status != nil, "intake still runs after its producer's fatal error; log:\n\(log)")
            if let status { #expect(status != 0, "exit status \(status); log:\n\(log)") }
            #expect(log.contains("ORDERFLOW_FATAL_AFTER_MS reached"), "the test hook fired")
            #expect(log.contains("fatal librdkafka error in the producer"), "the log says what failed; log:\n\(log)")
            #expect(log.contains("injected by ORDERFLOW_FATAL_AFTER_MS"), "…and librdkafka's reason")
        } catch {
            await pipeline.stop()
            throw error
        }
        await pipeline.stop()
    }
}
