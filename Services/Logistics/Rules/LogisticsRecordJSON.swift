import Foundation
import OrderModel

// Logistics' order record writes its own JSON: it is stored again at every scan of its
// shipment, and the generic `Encoder` path cost more than the rules that changed it. The
// bytes are exactly Foundation's sorted-keys output of the `Codable` conformance (members in
// byte order of their keys; `LogisticsRecordJSONTests` compare fully populated values, so a
// member added to these types fails them until it is written here too).

extension LogisticsOrderRecord: DirectJSONEncodable {
    package func writeJSON(to writer: JSONByteWriter) throws {
        var object = JSONObjectWriter(writer)
        object.date("deliveredAt", deliveredAt)
        object.bool("deliveryLimitBreached", deliveryLimitBreached)
        object.identifier("deliveryResponse", deliveryResponse)
        try object.order("order", order)
        try object.array("shipments", shipments)
        object.identifier("status", status)
        object.close()
    }
}

extension Shipment: DirectJSONEncodable {
    package func writeJSON(to writer: JSONByteWriter) throws {
        var object = JSONObjectWriter(writer)
        object.identifier("carrier", carrier)
        object.date("eta", eta)
        object.string("id", id)
        object.integer("number", number)
        object.identifier("progress", progress)
        object.string("replacementFor", replacementFor)
        object.dates("reportedDelays", reportedDelays)
        object.string("reportedException", reportedException)
        object.bool("reportedInTransit", reportedInTransit)
        object.date("shippedAt", shippedAt)
        object.identifiers("simulatedScans", simulatedScans)
        object.string("trackingNumber", trackingNumber)
        object.close()
    }
}
