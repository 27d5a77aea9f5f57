import Foundation
import OrderModel

// The warehouse's order record writes its own JSON: it is stored again at every step of
// pick → check → pack → inspect, and the generic `Encoder` path cost more than the rules
// that changed it. The bytes are exactly Foundation's sorted-keys output of the `Codable`
// conformance (members in byte order of their keys; `WarehouseRecordJSONTests` compare
// fully populated values, so a member added to these types fails them until it is written
// here too).

extension WarehouseOrderRecord: DirectJSONEncodable {
    package func writeJSON(to writer: JSONByteWriter) throws {
        var object = JSONObjectWriter(writer)
        object.date("allocatedAt", allocatedAt)
        object.integer("attempt", attempt)
        object.bool("fulfilmentLimitBreached", fulfilmentLimitBreached)
        try object.order("order", order)
        object.integer("releaseSequence", releaseSequence)
        try object.object("reserved", reserved)
        object.identifier("stage", stage)
        object.identifier("status", status)
        object.date("stepDueAt", stepDueAt)
        object.close()
    }
}

extension StockDemand: DirectJSONEncodable {
    package func writeJSON(to writer: JSONByteWriter) throws {
        var object = JSONObjectWriter(writer)
        try object.array("items", items)
        object.close()
    }
}

extension StockQuantity: DirectJSONEncodable {
    package func writeJSON(to writer: JSONByteWriter) {
        var object = JSONObjectWriter(writer)
        object.integer("quantity", quantity)
        object.identifier("sku", sku)
        object.close()
    }
}
