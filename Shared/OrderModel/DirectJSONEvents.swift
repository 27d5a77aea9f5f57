import Foundation

// Hand-written JSON writers for the events that carry most orders between departments,
// and for `LocalDate` (see `DirectJSONEncodable`: the bytes are exactly Foundation's
// sorted-keys output of the `Codable` conformance; `DirectJSONTests` prove it). Members are
// written in byte order of their keys; a member added to one of these types must be added
// here too (the tests compare fully populated values, so they fail until it is).

extension LocalDate: DirectJSONEncodable {
    package func writeJSON(to writer: JSONByteWriter) { writer.writeString(description) }
}

extension OrderReceived: DirectJSONEncodable {
    package func writeJSON(to writer: JSONByteWriter) throws {
        var object = JSONObjectWriter(writer)
        try object.order("order", order)
        object.close()
    }
}

extension OrderReleased: DirectJSONEncodable {
    package func writeJSON(to writer: JSONByteWriter) throws {
        var object = JSONObjectWriter(writer)
        try object.order("order", order)
        object.close()
    }
}

extension OrderPacked: DirectJSONEncodable {
    package func writeJSON(to writer: JSONByteWriter) throws {
        var object = JSONObjectWriter(writer)
        try object.order("order", order)
        object.integer("packages", packages)
        object.close()
    }
}

extension ShipmentDispatched: DirectJSONEncodable {
    package func writeJSON(to writer: JSONByteWriter) throws {
        var object = JSONObjectWriter(writer)
        object.string("carrier", carrier)
        object.date("estimatedDelivery", estimatedDelivery)
        object.bool("isReplacement", isReplacement)
        try object.array("lines", lines)
        try object.order("order", order)
        object.string("shipmentId", shipmentId)
        object.date("shippedAt", shippedAt)
        object.string("trackingNumber", trackingNumber)
        object.close()
    }
}

extension ShipmentDelivered: DirectJSONEncodable {
    package func writeJSON(to writer: JSONByteWriter) throws {
        var object = JSONObjectWriter(writer)
        object.date("deliveredAt", deliveredAt)
        try object.object("ref", ref)
        object.string("shipmentId", shipmentId)
        object.close()
    }
}

extension PaymentApplied: DirectJSONEncodable {
    package func writeJSON(to writer: JSONByteWriter) throws {
        var object = JSONObjectWriter(writer)
        try object.object("amount", amount)
        object.identifier("customerId", customerId)
        try object.object("ref", ref)
        object.close()
    }
}

extension ShipmentTrackingUpdated: DirectJSONEncodable {
    package func writeJSON(to writer: JSONByteWriter) throws {
        var object = JSONObjectWriter(writer)
        object.date("at", at)
        object.string("detail", detail)
        object.date("eta", eta)
        object.identifier("event", event)
        object.identifier("exception", exception)
        object.identifier("orderId", orderId)
        object.string("trackingNumber", trackingNumber)
        object.close()
    }
}
