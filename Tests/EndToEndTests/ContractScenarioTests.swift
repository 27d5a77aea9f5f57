import DemoKit
import Foundation
import OrderModel
import Testing

/// One scenario per contract status and reason code, driven through the five running
/// executables by the inbound events of the contract and checked on `orders.status`.
@Suite(.serialized) struct ContractScenarioTests {
    static let environment = [
        "ORDERFLOW_WAREHOUSE_QC_FAILURE_RATE": "0.5",    // some orders fail inspection and go back
        "ORDERFLOW_REVIEW_STAGE_LIMIT_SECONDS": "2",     // pending orders breach the review limit quickly
        "ORDERFLOW_WAREHOUSE_FULFILMENT_LIMIT_SECONDS": "0.3",  // demo steps take 0.8 s: every order breaches
        "ORDERFLOW_LOGISTICS_TRANSIT_DAYS_STANDARD": "0",        // due the moment it ships …
        "ORDERFLOW_LOGISTICS_DELIVERY_GRACE_SECONDS": "0",       // … so the simulated carrier is late
    ]

    /// Small orders that just run through (with a 50 % QC failure rate, some fail inspection).
    static let plainOrders = (1...6).map { "Q-\($0)" }

    @Test func everyContractStatusAndReasonCodeIsReachedEndToEnd() async throws {
        try await Pipeline.run(environment: Self.environment) { pipeline in
            try await run(pipeline)
        }
    }

    func run(_ pipeline: Pipeline) async throws {
        let feed = pipeline.feed
        try await pipeline.receiveDemoStock()
        let farFuture = LocalDate(Date()).adding(days: 120).description
        let tomorrow = LocalDate(Date()).adding(days: 1).description

        // Rejections at intake (all problems of one submission together) and at review.
        var badLines = Submissions.valid("R-INTAKE", lines: [("NO-SUCH-SKU", 1, "10.00"), ("PUMP-200", 0, "1180.00")])
        badLines.shipTo?.city = nil
        var wrongCurrency = Submissions.valid("R-CURRENCY")
        wrongCurrency.currency = "USD"
        try await pipeline.submit([
            badLines,
            Submissions.valid("R-CUSTOMER", customer: "C-9999"),
            wrongCurrency,
            Submissions.valid("R-BLOCKED", customer: "C-1008"),
            Submissions.valid("R-PRICE", lines: [("PUMP-200", 1, "900.00")]),
            Submissions.valid("R-CREDIT", customer: "C-1004", lines: [("MOTOR-7K5", 30, "5980.00")]),
            Submissions.valid("R-DATE", lines: [("SKID-PUMP-CUSTOM", 1, "68000.00")], requestedDeliveryDate: tomorrow),
        ])
        // Approvals: a large order waits for a person; one is approved, one rejected, one cancelled.
        let big = [("MOTOR-7K5", 20, "5980.00")]
        try await pipeline.submit([
            Submissions.valid("P-APPROVE", customer: "C-1003", lines: big),
            Submissions.valid("P-REJECT", customer: "C-1003", lines: big),
            Submissions.valid("P-CANCEL", customer: "C-1003", lines: big),
            // Made to order: a deposit first, then nothing in stock → backordered until goods arrive.
            Submissions.valid("D-DEPOSIT", customer: "C-1001", lines: [("TANK-SS304-5M3", 1, "48500.00")], requestedDeliveryDate: farFuture),
            // An ordinary order that runs to completed, then a cancellation that comes too late.
            Submissions.valid("H-LATE-CANCEL", customer: "C-1002", lines: [("VALVE-DN50", 2, "860.00")]),
        ] + Self.plainOrders.map { Submissions.valid($0, customer: "C-1006", lines: [("SENSOR-PT100", 1, "420.00")]) })

        func reasons(_ external: String) -> Set<ReasonCode> {
            Set(feed.statusChanges().filter { $0.externalOrderId == external }.flatMap { $0.reasons ?? [] }.map(\.code))
        }
        func orderId(_ external: String) async throws -> OrderID {
            try await feed.wait(timeout: .seconds(30), "\(external) numbered") { feed.orderId(external: external) != nil }
            return feed.orderId(external: external)!
        }
        func waitFor(_ external: String, _ status: OrderStatus, timeout: Duration = .seconds(60)) async throws {
            try await feed.wait(timeout: timeout, "\(external) → \(status) (has \(feed.statuses(external: external)))") {
                feed.statuses(external: external).contains(status)
            }
        }

        // Intake rejections.
        try await waitFor("R-INTAKE", .rejected)
        #expect(reasons("R-INTAKE").isSuperset(of: [.unknownSKU, .invalidQuantity, .invalidSubmission]), "\(reasons("R-INTAKE"))")
        try await waitFor("R-CUSTOMER", .rejected)
        #expect(reasons("R-CUSTOMER").contains(.unknownCustomer))
        try await waitFor("R-CURRENCY", .rejected)
        #expect(reasons("R-CURRENCY").contains(.currencyMismatch))
        try await waitFor("R-BLOCKED", .rejected)
        #expect(reasons("R-BLOCKED").contains(.customerBlocked))
        // Review rejections.
        try await waitFor("R-PRICE", .rejected)
        #expect(reasons("R-PRICE") == [.priceBelowPolicy])
        try await waitFor("R-CREDIT", .rejected)
        #expect(reasons("R-CREDIT").contains(.creditLimitExceeded))
        try await waitFor("R-DATE", .rejected)
        #expect(reasons("R-DATE").contains(.deliveryDateInfeasible))
        for external in ["R-PRICE", "R-CREDIT", "R-DATE"] {
            #expect(feed.statuses(external: external) == [.received, .rejected], "\(external): \(feed.statuses(external: external))")
        }

        // Approval by a person; rejection by a person; cancellation while pending.
        for external in ["P-APPROVE", "P-REJECT", "P-CANCEL"] { try await waitFor(external, .pendingApproval) }
        let approveId = try await orderId("P-APPROVE")
        let rejectId = try await orderId("P-REJECT")
        let cancelId = try await orderId("P-CANCEL")
        try await pipeline.send(ReviewDecided(orderId: approveId, decision: .approve, reviewer: "li.na", comment: "ok"), to: .review, key: approveId.rawValue)
        try await pipeline.send(ReviewDecided(orderId: rejectId, decision: .reject, reviewer: "li.na", comment: "too risky"), to: .review, key: rejectId.rawValue)
        try await pipeline.send(CancellationRequested(orderId: cancelId, reason: "customer changed plans"), to: .review, key: cancelId.rawValue)
        try await waitFor("P-APPROVE", .approved)
        try await waitFor("P-APPROVE", .allocated)
        try await waitFor("P-REJECT", .rejected)
        #expect(reasons("P-REJECT") == [.rejectedByReviewer])
        try await waitFor("P-CANCEL", .cancelled)
        #expect(reasons("P-CANCEL") == [.cancelledByCustomer])
        // A decision for an order that is no longer pending changes nothing.
        try await pipeline.send(ReviewDecided(orderId: rejectId, decision: .approve, reviewer: "wang.wei"), to: .review, key: rejectId.rawValue)
        // Pending longer than the review limit: one breach event.
        try await feed.wait(timeout: .seconds(30), "review SLA breach") { feed.payloads(SLABreached.self).contains { $0.stage == "review" } }
        // The other stage limits: fulfilment (warehouse) and delivery (logistics).
        try await feed.wait(timeout: .seconds(30), "fulfilment and delivery SLA breaches") {
            let stages = Set(feed.payloads(SLABreached.self).map(\.stage))
            return stages.isSuperset(of: ["fulfilment", "delivery"])
        }
        let breaches = feed.payloads(SLABreached.self)
        #expect(Set(breaches.map { "\($0.orderId)/\($0.stage)" }).count == breaches.count, "each breach is reported once")
        // …and counted per stage on the /metrics of the service that reports it (the
        // counter goes up when the breach is committed, before it is published).
        for (service, stage) in [("review", "review"), ("warehouse", "fulfilment"), ("logistics", "delivery")] {
            let metrics = try await pipeline.http(service, "/metrics").1
            let counted = metrics.split(separator: "\n")
                .first { $0.hasPrefix("orderflow_sla_breaches_total{") && $0.contains(#"stage="\#(stage)""#) && $0.contains(#"service="\#(service)""#) }
                .flatMap { $0.split(separator: " ").last }.flatMap { Double($0) }
            let published = breaches.filter { $0.stage == stage }.count
            #expect((counted ?? 0) >= Double(published) && published > 0,
                    "\(service) counted \(String(describing: counted)) \(stage) breaches, \(published) published")
        }

        // Deposit → warehouse → backordered → stock arrives → allocated.
        try await waitFor("D-DEPOSIT", .awaitingDeposit)
        let depositId = try await orderId("D-DEPOSIT")
        let awaiting = try #require(feed.statusChanges().first { $0.externalOrderId == "D-DEPOSIT" && $0.status == .awaitingDeposit })
        let deposit = try #require(awaiting.details?["depositAmount"].flatMap(DecimalString.init))
        try await pipeline.send(PaymentReceived(orderId: depositId, amount: deposit, currency: "CNY", reference: "DEP-1"), to: .billing, key: depositId.rawValue)
        try await waitFor("D-DEPOSIT", .backordered)
        try await pipeline.send(StockReceived(sku: "TANK-SS304-5M3", quantity: 1, reference: "PROD-77"), to: .warehouse, key: "TANK-SS304-5M3")
        try await waitFor("D-DEPOSIT", .allocated)
        try await waitFor("D-DEPOSIT", .invoiced)
        let invoiced = try #require(feed.statusChanges().first { $0.externalOrderId == "D-DEPOSIT" && $0.status == .invoiced })
        let gross = try #require(invoiced.details?["amount"].flatMap(ExactDecimal.parse))
        // The deposit counts: paying the rest in two parts shows partially_paid, then paid.
        let rest = gross - deposit.value
        let half = ExactDecimal.round(rest / 2, scale: 2)
        try await pipeline.send(PaymentReceived(orderId: depositId, amount: DecimalString(half), currency: "CNY", reference: "PAY-1"), to: .billing, key: depositId.rawValue)
        try await waitFor("D-DEPOSIT", .partiallyPaid)
        try await pipeline.send(PaymentReceived(orderId: depositId, amount: DecimalString(rest - half), currency: "CNY", reference: "PAY-2"), to: .billing, key: depositId.rawValue)
        try await waitFor("D-DEPOSIT", .completed)

        // An ordinary order to completed, then a cancellation after shipment is refused.
        try await EndToEndTests.driveToCompletion(pipeline, externals: Set(["H-LATE-CANCEL", "P-APPROVE"] + Self.plainOrders), timeout: .seconds(120))
        let lateId = try await orderId("H-LATE-CANCEL")
        try await pipeline.send(CancellationRequested(orderId: lateId, reason: "too late"), to: .review, key: lateId.rawValue)
        try await feed.wait(timeout: .seconds(30), "refusal of the late cancellation") {
            feed.payloads(RequestRefused.self).contains { $0.orderId == lateId && $0.reasons.contains { $0.code == .alreadyShipped } }
        }
        #expect(!feed.statuses(external: "H-LATE-CANCEL").contains(.cancelled))

        // QC failures went back to picking and were packed again before shipping.
        let qcFailed = Set(feed.statusChanges().filter { $0.status == .qcFailed }.map(\.externalOrderId))
        for external in qcFailed {
            let statuses = feed.statuses(external: external)
            if let failure = statuses.firstIndex(of: .qcFailed), let shipped = statuses.firstIndex(of: .shipped) {
                #expect(failure < shipped && statuses[failure...].contains(.packed), "\(external): \(statuses)")
            }
        }

        // Every contract status and reason code was seen.
        let seenStatuses = Set(feed.statusChanges().map(\.status))
        let seenReasons = Set(feed.statusChanges().flatMap { $0.reasons ?? [] }.map(\.code))
        let missingStatuses = OrderStatus.contractV1.filter { !seenStatuses.contains($0) }
        let missingReasons = ReasonCode.contractV1.filter { !seenReasons.contains($0) }
        #expect(missingStatuses.isEmpty, "statuses never seen: \(missingStatuses)")
        #expect(missingReasons.isEmpty, "reason codes never seen: \(missingReasons)")
        // The decision for the rejected order changed nothing.
        #expect(feed.statuses(external: "P-REJECT").last == .rejected)
    }
}
