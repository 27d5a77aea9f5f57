import Foundation
import DepartmentKit
import OrderModel

extension BillingRules {
    /// `shipment.dispatched`: one invoice per shipment for exactly the shipped lines (net =
    /// sum of line nets, tax rounded per line, gross = net + tax), due on the ship date plus
    /// the order's payment terms; status `invoiced`, then the money already received is
    /// applied. Replacement shipments and shipments already invoiced are not invoiced again.
    func invoice(_ shipment: ShipmentDispatched, state: any StateStore, outcome: inout HandlerOutcome,
                 context: HandlerContext) throws {
        let order = shipment.order
        var account = try state.account(order.id)
        guard !shipment.isReplacement else {
            outcome.log(.info, "\(shipment.shipmentId) replaces \(order.id)'s earlier shipment; not invoiced again")
            return
        }
        if let existing = account.invoices.first(where: { $0.shipmentId == shipment.shipmentId }) {
            outcome.log(.notice, "\(shipment.shipmentId) is already invoiced as \(existing.id); ignored")
            return
        }
        guard !shipment.lines.isEmpty, shipment.lines.allSatisfy({ $0.unitPrice.currency == order.currency }) else {
            throw RuleViolation("\(shipment.shipmentId) has no lines or lines not priced in \(order.currency)")
        }
        learn(order.ref, customerId: order.customerId, into: &account)
        account.paymentTermsDays = order.paymentTermsDays
        try adopt(currency: order.currency, into: &account, outcome: &outcome, context: context)
        if account.cancelled {
            outcome.log(.warning, "\(order.id) was cancelled but \(shipment.shipmentId) shipped; invoicing what shipped")
        }

        let invoice = Invoice(id: "INV-\(order.id.rawValue)-\(account.invoices.count + 1)",
                              shipmentId: shipment.shipmentId,
                              totals: Totals(lines: shipment.lines, currency: order.currency),
                              dueDate: LocalDate(shipment.shippedAt).adding(days: order.paymentTermsDays))
        account.invoices.append(invoice)
        publish(.invoiced, of: account, details: [
            "invoiceId": invoice.id,
            "shipmentId": invoice.shipmentId,
            "amount": invoice.totals.gross.amountString,
            "net": invoice.totals.net.amountString,
            "tax": invoice.totals.tax.amountString,
            "currency": order.currency,
            "dueDate": invoice.dueDate.description,
        ], outcome: &outcome, context: context)
        settle(&account, outcome: &outcome, context: context)
        try save(account, in: state)
    }
}
