import DemoKit
import Foundation
import OrderModel
import Synchronization
import Testing

/// The broker freezes (SIGSTOP) for 30 s and, once everything has recovered, for 60 s,
/// while orders keep being submitted: every service waits and recovers by itself (no
/// exit, no fatal error), every order completes once with one invoice, and nothing is
/// dead-lettered for the outage.
@Suite(.serialized) struct BrokerOutageTests {
    @Test func theBrokerFreezingFor30And60SecondsUnderLoadLosesNothingAndStopsNoService() async throws {
        try await Pipeline.run { pipeline in
            try await pipeline.loadMasterData(EndToEndTests.roomyMasterData())
            try await pipeline.receiveDemoStock(times: 20)
            let load = try SteadyLoad(pipeline, run: "OUTAGE", perSecond: 10)
            load.start()

            var completedBefore: Set<String> = []
            for outage in [Duration.seconds(30), .seconds(60)] {
                try await Task.sleep(for: .seconds(3))
                let sentBefore = load.sent
                let frozenAt = Date()
                pipeline.broker.pause()
                try await Task.sleep(for: outage)
                // Nothing passes a frozen broker: no event made after the freeze reaches the
                // feed. (The feed may still be catching up on what was fetched before it: with
                // the whole suite running, this process's reader can lag by thousands of events.)
                let passed = pipeline.feed.all.filter { $0.envelope.time > frozenAt.addingTimeInterval(0.001) }  // times are kept to the millisecond
                #expect(passed.isEmpty, "nothing passes a frozen broker: \(passed.count) events made after the freeze arrived, e.g. \(passed.prefix(3).map { "\($0.envelope.type) \($0.envelope.time)" })")
                // Waiting, not failing: every service is running and alive (an orchestrator
                // would not restart it).
                for service in Pipeline.services {
                    #expect(pipeline.isRunning(service), "\(service) gave up during a \(outage) outage:\n\(pipeline.logTail(service))")
                    let (code, body) = try await pipeline.http(service, "/health")
                    #expect(code == 200, "\(service) /health during the outage: \(code) \(body)")
                }
                pipeline.broker.resume()
                // Recovered by itself: every order sent before and during the outage completes.
                let due = sentBefore.union(load.sent)
                #expect(due.count > sentBefore.count, "orders kept being submitted during the outage")
                try await EndToEndTests.driveToCompletion(pipeline, externals: due.subtracting(completedBefore), timeout: .seconds(240))
                completedBefore = due
                for service in Pipeline.services { try await pipeline.waitReady(service, timeout: .seconds(30)) }
            }
            let externals = try await load.stop()
            try await EndToEndTests.driveToCompletion(pipeline, externals: externals.subtracting(completedBefore), timeout: .seconds(120))

            print("broker outage: \(externals.count) orders submitted at a steady rate across both outages, all completed")
            for service in Pipeline.services {
                #expect(pipeline.isRunning(service), "\(service) is still running")
                #expect(!pipeline.logTail(service, lines: 100_000).contains("critical"), "\(service) logged a critical error")
            }
            #expect(pipeline.feed.deadLettered.isEmpty, "dead letters: \(pipeline.feed.deadLettered.prefix(3).map { $0.headers })")
            var completions: [String: Set<String>] = [:]
            for record in pipeline.feed.all {
                guard let change = record.payload as? OrderStatusChanged, change.status == .completed else { continue }
                completions[change.externalOrderId, default: []].insert(record.envelope.id)
            }
            #expect(Set(completions.keys) == externals, "every order completed")
            #expect(completions.values.allSatisfy { $0.count == 1 }, "each order completed once")
            EndToEndTests.expectNoDuplicateStatusEvents(pipeline, externals: externals)
            EndToEndTests.expectOneInvoicePerOrder(pipeline, externals: externals)
        }
    }
}

/// Submits demo orders at a steady rate, one send each, without waiting for the broker
/// between them (a send that cannot be delivered waits in the producer while the next ones
/// follow), until `stop()`.
final class SteadyLoad: Sendable {
    private let pipeline: Pipeline
    private let run: String
    private let interval: Duration
    private let generator: DemoOrderGenerator
    private let sentExternals = Mutex<Set<String>>([])
    private let task = Mutex<Task<Void, any Error>?>(nil)
    private let stopping = Atomic<Bool>(false)

    init(_ pipeline: Pipeline, run: String, perSecond: Int) throws {
        self.pipeline = pipeline
        self.run = run
        interval = .milliseconds(1000 / perSecond)
        let data = try EndToEndTests.roomyMasterData()
        generator = DemoOrderGenerator(products: data.products, customers: data.customers, maxOrderValue: 20_000)
    }

    /// The external ids submitted so far (handed to the producer; delivery may still be pending).
    var sent: Set<String> { sentExternals.withLock { $0 } }

    func start() {
        task.withLock { task in
            task = Task { [self] in
                try await withThrowingTaskGroup(of: Void.self) { group in
                    var index = 0
                    var next = ContinuousClock.now
                    while !stopping.load(ordering: .relaxed) {
                        let submission = generator.submission(index: index, runId: run, now: Date())
                        index += 1
                        sentExternals.withLock { _ = $0.insert(submission.externalOrderId!) }
                        group.addTask { [pipeline] in try await pipeline.submit([submission]) }
                        next += interval
                        try await Task.sleep(until: next, clock: .continuous)
                    }
                    try await group.waitForAll()
                }
            }
        }
    }

    /// Stops submitting, waits until every submission is delivered and returns their external ids.
    func stop() async throws -> Set<String> {
        stopping.store(true, ordering: .relaxed)
        try await task.withLock { $0 }?.value
        return sent
    }
}
