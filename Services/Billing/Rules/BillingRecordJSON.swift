import Foundation
import OrderModel

// Billing's ledger writes its own JSON: it is stored again after every event of its order,
// and the generic `Encoder` path cost more than the rules that changed it. The bytes are
// exactly Foundation's sorted-keys output of the `Codable` conformance (members in byte
// order of their keys; `BillingRecordJSONTests` compare fully populated values, so a member
// added to these types fails them until it is written here too).

extension BillingAccount: DirectJSONEncodable {
    package func writeJSON(to writer: JSONByteWriter) throws {
        var object = JSONObjectWriter(writer)
        object.bool("cancelled", cancelled)
        object.bool("completed", completed)
        object.string("currency", currency)
        object.identifier("customerId", customerId)
        object.bool("delivered", delivered)
        try object.object("depositRequested", depositRequested)
        object.bool("disputed", disputed)
        try object.array("invoices", invoices)
        object.identifier("orderId", orderId)
        object.integer("paymentTermsDays", paymentTermsDays)
        try object.array("payments", payments)
        try object.object("ref", ref)
        object.decimal("refunded", refunded)
        object.bool("reportedDepositPaid", reportedDepositPaid)
        object.decimal("reportedSurplus", reportedSurplus)
        object.close()
    }
}

extension Invoice: DirectJSONEncodable {
    package func writeJSON(to writer: JSONByteWriter) throws {
        var object = JSONObjectWriter(writer)
        try object.object("dueDate", dueDate)
        object.bool("escalated", escalated)
        object.string("id", id)
        object.date("lastReminderAt", lastReminderAt)
        try object.object("paid", paid)
        object.bool("reportedOverdue", reportedOverdue)
        object.string("shipmentId", shipmentId)
        try object.object("totals", totals)
        object.bool("voided", voided)
        object.close()
    }
}

extension ReceivedPayment: DirectJSONEncodable {
    package func writeJSON(to writer: JSONByteWriter) throws {
        var object = JSONObjectWriter(writer)
        try object.object("amount", amount)
        object.date("receivedAt", receivedAt)
        object.string("reference", reference)
        object.bool("refused", refused)
        object.close()
    }
}
