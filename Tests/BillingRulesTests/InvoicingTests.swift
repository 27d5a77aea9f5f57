import BillingRules
import DepartmentKit
import Foundation
import OrderModel
import Testing

@Suite("Invoicing what shipped")
struct InvoicingTests {
    @Test("the invoice is exactly the shipped lines: net summed, tax rounded per line, gross = net + tax")
    func amountsEqualShippedLines() throws {
        let harness = BillingHarness()
        // Each line's tax is 0.005, rounded per line to 0.01: the invoice's tax is 0.02, not 0.01.
        let lines = [Fixture.line(1, price: "0.05", taxRate: "0.10"), Fixture.line(2, sku: "VALVE-10", price: "0.05", taxRate: "0.10"),
                     Fixture.line(3, sku: "HOSE-3", quantity: 3, price: "33.33")]
        let order = Fixture.order(lines: lines)
        let outcome = try harness.dispatch(order)

        #expect(outcome.statusChanges.map(\.status) == [.invoiced])
        let details = try #require(outcome.statusChanges.first?.details)
        #expect(details["invoiceId"] == "INV-SO-2026-000001-1")
        #expect(details["net"] == "100.09")        // 0.05 + 0.05 + 99.99
        #expect(details["tax"] == "13.02")         // 0.01 + 0.01 + 13.00 (12.9987)
        #expect(details["amount"] == "113.11")
        #expect(details["dueDate"] == "2026-12-23") // ship date + NET30
        #expect(details["shipmentId"] == "SHP-SO-2026-000001-1")
        let totals = Totals(lines: lines, currency: "CNY")
        #expect(details["amount"] == totals.gross.amountString)
        #expect(try harness.account()?.invoices.first?.totals == totals)
        #expect(outcome.statusChanges.first?.department == "billing")
    }

    @Test("one invoice per shipment, even if shipment.dispatched arrives twice with different ids")
    func oneInvoicePerShipment() throws {
        let harness = BillingHarness()
        try harness.dispatch()
        let again = try harness.dispatch(at: Fixture.now.addingTimeInterval(60))
        #expect(again.events.isEmpty)
        #expect(again.logs.contains { $0.message.contains("INV-SO-2026-000001-1") })
        #expect(try harness.account()?.invoices.count == 1)
    }

    @Test("a replacement shipment is not invoiced again")
    func replacementNotInvoiced() throws {
        let harness = BillingHarness()
        try harness.dispatch()
        let replacement = try harness.dispatch(shipment: 2, replacement: true)
        #expect(replacement.events.isEmpty)
        #expect(try harness.account()?.invoices.map(\.id) == ["INV-SO-2026-000001-1"])
    }

    @Test("a shipment with no lines is refused (dead letter), not invoiced at zero")
    func emptyShipmentRefused() throws {
        let harness = BillingHarness()
        #expect(throws: RuleViolation.self) { try harness.dispatch(Fixture.order(lines: [])) }
    }
}
