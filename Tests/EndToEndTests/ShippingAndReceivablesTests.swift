import Foundation
import OrderModel
import Testing

/// Carrier scans, shipping exceptions, disputes, order changes, partial and over-payments
/// and overdue invoices, through the running executables. Logistics runs without its
/// simulated carrier here, so the test plays the carrier.
@Suite(.serialized) struct ShippingAndReceivablesTests {
    @Test func scansExceptionsDisputesChangesAndReceivablesEndToEnd() async throws {
        try await Pipeline.run(environment: ["ORDERFLOW_WAREHOUSE_QC_FAILURE_RATE": "0"]) { pipeline in
            try await run(pipeline)
        }
    }

    func run(_ pipeline: Pipeline) async throws {
        let feed = pipeline.feed
        _ = await pipeline.stopService("logistics")
        try pipeline.startService("logistics", environment: ["ORDERFLOW_DEMO_MODE": "false"])
        try await pipeline.waitReady("logistics")
        try await pipeline.receiveDemoStock()

        func waitFor(_ external: String, _ status: OrderStatus, count: Int = 1) async throws {
            try await feed.wait(timeout: .seconds(60), "\(external) → \(status) ×\(count) (has \(feed.statuses(external: external)))") {
                feed.statuses(external: external).filter { $0 == status }.count >= count
            }
        }
        func latest(_ external: String, _ status: OrderStatus) -> OrderStatusChanged? {
            feed.statusChanges().last { $0.externalOrderId == external && $0.status == status }
        }
        func scan(_ external: String, _ event: ShipmentTrackingUpdated.Scan, exception: ShipmentTrackingUpdated.ExceptionKind? = nil,
                  eta: Date? = nil) async throws {
            let shipped = try #require(latest(external, .shipped))
            let tracking = try #require(shipped.details?["trackingNumber"])
            try await pipeline.send(ShipmentTrackingUpdated(orderId: shipped.orderId, trackingNumber: tracking, event: event, at: Date(),
                                                            eta: eta, exception: exception, detail: "scan by e2e"),
                                    to: .logistics, key: shipped.orderId.rawValue)
        }
        func pay(_ external: String, _ amount: Decimal, reference: String) async throws {
            let id = try #require(feed.orderId(external: external))
            try await pipeline.send(PaymentReceived(orderId: id, amount: DecimalString(amount), currency: "CNY", reference: reference),
                                    to: .billing, key: id.rawValue)
        }

        var remote = Submissions.valid("S-REMOTE", customer: "C-1007", lines: [("BEARING-6205", 10, "18.50")])
        remote.shipTo?.region = "Tibet"
        remote.shipTo?.city = "Lhasa"
        try await pipeline.submit([
            Submissions.valid("S-EXCEPTION", lines: [("PUMP-500", 1, "4680.00")]),
            Submissions.valid("S-DISPUTE", lines: [("VALVE-DN100", 2, "1350.00")]),
            Submissions.valid("S-OVERDUE", lines: [("SENSOR-PT100", 3, "420.00")]),
            remote,
            // Above the approval threshold; the change brings it below before anyone decides.
            Submissions.valid("S-CHANGE", customer: "C-1003", lines: [("MOTOR-7K5", 20, "5980.00")]),
        ])

        // Scans: in transit, delayed with a new ETA, damaged → replacement shipment, delivered.
        try await waitFor("S-EXCEPTION", .shipped)
        try await scan("S-EXCEPTION", .inTransit)
        try await waitFor("S-EXCEPTION", .inTransit)
        let newETA = Date().addingTimeInterval(3 * 86400)
        try await scan("S-EXCEPTION", .delayed, eta: newETA)
        try await waitFor("S-EXCEPTION", .delayed)
        #expect(latest("S-EXCEPTION", .delayed)?.details?["eta"] == Timestamp.format(newETA))
        let firstTracking = latest("S-EXCEPTION", .shipped)?.details?["trackingNumber"]
        try await scan("S-EXCEPTION", .exception, exception: .damaged)
        try await waitFor("S-EXCEPTION", .deliveryException)
        try await waitFor("S-EXCEPTION", .shipped, count: 2)
        let replacement = try #require(latest("S-EXCEPTION", .shipped))
        #expect(replacement.details?["replacementFor"] != nil)
        #expect(replacement.details?["trackingNumber"] != firstTracking)
        try await scan("S-EXCEPTION", .delivered)
        try await waitFor("S-EXCEPTION", .delivered)
        // The replacement is not invoiced again.
        let invoices = feed.statusChanges().filter { $0.externalOrderId == "S-EXCEPTION" && $0.status == .invoiced }
        #expect(invoices.count == 1)
        // Over-payment: paid, and a notice says how much is held as credit.
        let gross = try #require(invoices.first?.details?["amount"].flatMap(ExactDecimal.parse))
        try await pay("S-EXCEPTION", gross + 100, reference: "OVER-1")
        try await waitFor("S-EXCEPTION", .completed)
        try await feed.wait(timeout: .seconds(20), "overpayment notice") {
            feed.payloads(BillingNotice.self).contains { $0.externalOrderId == "S-EXCEPTION" && $0.kind == .overpayment }
        }

        // A remote region ships by postal service.
        try await waitFor("S-REMOTE", .shipped)
        #expect(latest("S-REMOTE", .shipped)?.details?["carrier"] == "postal")

        // Delivered, then disputed by the customer.
        try await waitFor("S-DISPUTE", .shipped)
        try await scan("S-DISPUTE", .delivered)
        try await waitFor("S-DISPUTE", .delivered)
        let disputeId = try #require(feed.orderId(external: "S-DISPUTE"))
        try await pipeline.send(DeliveryResponded(orderId: disputeId, response: .disputed, reason: "two valves scratched"), to: .logistics, key: disputeId.rawValue)
        try await waitFor("S-DISPUTE", .disputed)
        try await feed.wait(timeout: .seconds(20), "reminders held for the dispute") {
            feed.payloads(BillingNotice.self).contains { $0.externalOrderId == "S-DISPUTE" && $0.kind == .remindersHeld }
        }

        // The order change: re-reviewed with the new quantity, approved without a person.
        try await waitFor("S-CHANGE", .pendingApproval)
        let changeId = try #require(feed.orderId(external: "S-CHANGE"))
        try await pipeline.send(ChangeRequested(orderId: changeId, lines: [.init(sku: "MOTOR-7K5", quantity: 2)], requestedDeliveryDate: nil),
                                to: .review, key: changeId.rawValue)
        try await waitFor("S-CHANGE", .approved)
        try await waitFor("S-CHANGE", .allocated)
        #expect(latest("S-CHANGE", .approved)?.details?["gross"] == "13514.80", "2 × 5980.00 + 13 % tax")

        // Receivables: part paid, then billing wakes up forty days later: overdue and a reminder.
        try await waitFor("S-OVERDUE", .invoiced)
        try await pay("S-OVERDUE", 100, reference: "PART-1")
        try await waitFor("S-OVERDUE", .partiallyPaid)
        #expect(latest("S-OVERDUE", .partiallyPaid)?.details?["amountOpen"] != nil)
        _ = await pipeline.stopService("billing")
        try pipeline.startService("billing", environment: [
            "ORDERFLOW_CLOCK_OFFSET_SECONDS": String(40 * 86400),
        ])
        try await waitFor("S-OVERDUE", .overdue)
        try await feed.wait(timeout: .seconds(20), "payment reminder") {
            feed.payloads(BillingNotice.self).contains { $0.externalOrderId == "S-OVERDUE" && $0.kind == .reminder }
        }
        // The disputed order's reminders are held.
        #expect(!feed.payloads(BillingNotice.self).contains { $0.externalOrderId == "S-DISPUTE" && $0.kind == .reminder })
    }
}
