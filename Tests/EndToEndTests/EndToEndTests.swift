import DemoKit
import Foundation
import Kafka
import OrderModel
import Testing
import TestSupport

/// The five executables, started as processes against a broker of their own.
@Suite(.serialized) struct EndToEndTests {
    /// Demo master data with credit limits high enough that many open orders of one
    /// customer don't hit them (credit rules have their own scenarios).
    static func roomyMasterData() throws -> MasterDataFile {
        var data = try Pipeline.demoMasterData()
        data.customers = data.customers.map { var c = $0; c.creditLimit = DecimalString(100_000_000); return c }
        return data
    }

    static func demoSubmissions(_ count: Int, run: String) throws -> [OrderSubmission] {
        let data = try roomyMasterData()
        let generator = DemoOrderGenerator(products: data.products, customers: data.customers, maxOrderValue: 20_000)
        return (0..<count).map { generator.submission(index: $0, runId: run, now: Date()) }
    }

    /// Pays invoices as they appear until every order has completed.
    static func driveToCompletion(_ pipeline: Pipeline, externals: Set<String>, timeout: Duration,
                                  whileWaiting: () async throws -> Void = {}) async throws {
        var paid: Set<OrderID> = []
        let deadline = ContinuousClock.now + timeout
        while true {
            try await pipeline.payInvoices(of: externals, paid: &paid)
            let completed = Set(pipeline.feed.statusChanges().filter { $0.status == .completed }.map(\.externalOrderId))
            if externals.isSubset(of: completed) { return }
            guard ContinuousClock.now < deadline else {
                let missing = externals.subtracting(completed).sorted().prefix(5)
                let stuck = missing.map { "\($0): \(pipeline.feed.statuses(external: $0).map(\.rawValue))" }.joined(separator: "\n")
                throw PipelineError("\(externals.count - externals.intersection(completed).count) orders not completed, e.g.\n\(stuck)")
            }
            try await whileWaiting()
            try await Task.sleep(for: .milliseconds(200))
        }
    }

    /// Every status change of an order appears under one event id only (the same id may
    /// be delivered twice; two different ids would be a duplicate effect).
    static func expectNoDuplicateStatusEvents(_ pipeline: Pipeline, externals: Set<String>) {
        var ids: [String: Set<String>] = [:]
        for record in pipeline.feed.all {
            guard let change = record.payload as? OrderStatusChanged, externals.contains(change.externalOrderId) else { continue }
            ids["\(change.orderId)/\(change.status)", default: []].insert(record.envelope.id)
        }
        let doubled = ids.filter { $0.value.count > 1 }
        #expect(doubled.isEmpty, "status changes published under two ids: \(doubled.keys.sorted().prefix(10))")
    }

    static func expectOneInvoicePerOrder(_ pipeline: Pipeline, externals: Set<String>) {
        var invoices: [String: Set<String>] = [:]
        for change in pipeline.feed.statusChanges() where change.status == .invoiced && externals.contains(change.externalOrderId) {
            invoices[change.externalOrderId, default: []].insert(change.details?["invoiceId"] ?? "?")
        }
        #expect(invoices.count == externals.count, "every order is invoiced")
        #expect(invoices.values.allSatisfy { $0.count == 1 }, "exactly one invoice per order")
    }

    @Test func fiftyDemoOrdersRunThroughEveryStageToCompleted() async throws {
        try await Pipeline.run { pipeline in
            try await pipeline.loadMasterData(Self.roomyMasterData())
            try await pipeline.receiveDemoStock(times: 2)
            let submissions = try Self.demoSubmissions(50, run: "HAPPY")
            let externals = Set(submissions.map { $0.externalOrderId! })
            try await pipeline.submit(submissions)
            try await Self.driveToCompletion(pipeline, externals: externals, timeout: .seconds(180))

            for external in externals {
                let statuses = pipeline.feed.statuses(external: external)
                for expected: OrderStatus in [.received, .approved, .allocated, .packed, .shipped, .invoiced, .delivered, .paid, .completed] {
                    #expect(statuses.contains(expected), "\(external) never was \(expected): \(statuses)")
                }
                #expect(statuses.last == .completed)
                // The feed follows cause and effect, across departments.
                let causal: [OrderStatus] = [.received, .approved, .allocated, .packed, .shipped, .invoiced, .completed]
                #expect(statuses.filter(causal.contains) == causal, "\(external) out of causal order: \(statuses)")
            }
            Self.expectNoDuplicateStatusEvents(pipeline, externals: externals)
            Self.expectOneInvoicePerOrder(pipeline, externals: externals)
            // Contract: status events carry order id, channel, external id and status.
            let first = try #require(pipeline.feed.all.first { $0.payload is OrderStatusChanged })
            guard case .object(let data) = first.envelope.data else { Issue.record("data is not an object"); return }
            for field in ["orderId", "channel", "externalOrderId", "status"] { #expect(data[field] != nil, "status data lacks \(field)") }
            #expect(first.envelope.correlationid != nil && first.envelope.causationid != nil)

            // Operations endpoints.
            let (healthCode, _) = try await pipeline.http("intake", "/health")
            #expect(healthCode == 200)
            let (readyCode, readyBody) = try await pipeline.http("warehouse", "/ready")
            #expect(readyCode == 200 && readyBody.contains(#""consumer":true"#))
            let (_, metrics) = try await pipeline.http("billing", "/metrics")
            #expect(metrics.contains("orderflow_messages_in_total"))
            #expect(metrics.contains("orderflow_batch_duration_seconds"))
            #expect(metrics.contains(#"orderflow_ready{service="billing"} 1.0"#), "the /ready verdict, for alerting")
            var lagReported = false
            for _ in 0..<30 where !lagReported {
                lagReported = try await pipeline.http("billing", "/metrics").1.contains("orderflow_consumer_lag{")
                if !lagReported { try await Task.sleep(for: .milliseconds(500)) }
            }
            #expect(lagReported, "billing reports its consumer lag")
            let (stockCode, stock) = try await pipeline.http("warehouse", "/stock")
            #expect(stockCode == 200 && stock.contains(#""PUMP-200""#) && stock.contains("onHand"))
        }
    }

    @Test func badInputGoesToTheDeadLetterAndTheNextOrderStillCompletes() async throws {
        try await Pipeline.run { pipeline in
            try await pipeline.receiveDemoStock()
            try await pipeline.submitRaw(Array("\u{00}\u{FF} definitely not json".utf8), key: "junk")
            var future = try JSONValue(encoding: Submissions.valid("BAD-VERSION"))
            future["schemaVersion"] = .number(99)
            try await pipeline.submitRaw(Array(try OrderFlowJSON.encoder.encode(future)), key: "e2e-shop:BAD-VERSION")
            let newer = #"{"specversion":"1.0","id":"newer-1","source":"/bank","type":"payment.received","time":"2026-11-23T10:00:00Z","dataversion":7,"data":{}}"#
            try await pipeline.sendRaw(Array(newer.utf8), to: .billing, key: "SO-2026-000001")
            try await pipeline.submit([Submissions.valid("AFTER-BAD")])

            try await Self.driveToCompletion(pipeline, externals: ["AFTER-BAD"], timeout: .seconds(60))
            try await pipeline.feed.wait(timeout: .seconds(20), "three dead letters") { pipeline.feed.deadLettered.count >= 3 }
            let reasons = pipeline.feed.deadLettered.map { message in
                Dictionary(message.headers.map { ($0.key, String(decoding: $0.value ?? [], as: UTF8.self)) }) { a, _ in a }
            }
            #expect(reasons.contains { $0["reason"] == "not_json" && $0["service"] == "intake" && $0["source.topic"] == "e2e.orders.submitted" })
            #expect(reasons.contains { $0["reason"] == "unsupported_schema_version" })
            #expect(reasons.contains { $0["reason"] == "unsupported_dataversion" && $0["service"] == "billing" })
            #expect(reasons.allSatisfy { $0["source.offset"] != nil && $0["source.partition"] != nil })
            // The original bytes are kept.
            #expect(pipeline.feed.deadLettered.contains { $0.value.map { String(decoding: $0, as: UTF8.self) }?.contains("definitely not json") == true })
            #expect(pipeline.feed.statuses(external: "BAD-VERSION").isEmpty)
        }
    }

    @Test func aRepeatedSubmissionCreatesNoSecondOrderAndSIGTERMExitsCleanly() async throws {
        try await Pipeline.run { pipeline in
            try await pipeline.receiveDemoStock()
            let submission = Submissions.valid("TWICE")
            try await pipeline.submit([submission])
            try await pipeline.feed.wait(timeout: .seconds(30), "TWICE received") { pipeline.feed.statuses(external: "TWICE").contains(.received) }
            try await pipeline.submit([submission, Submissions.valid("ONCE")])
            try await pipeline.feed.wait(timeout: .seconds(30), "ONCE received") { pipeline.feed.statuses(external: "ONCE").contains(.received) }
            let received = pipeline.feed.statusChanges().filter { $0.externalOrderId == "TWICE" && $0.status == .received }
            #expect(received.count == 1)

            for service in Pipeline.services.reversed() {
                let status = await pipeline.stopService(service, signal: SIGTERM)
                #expect(status == 0, "\(service) exit status after SIGTERM: \(String(describing: status))\n\(pipeline.logTail(service))")
            }
        }
    }
}
