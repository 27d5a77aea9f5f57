import Foundation

/// A type that writes its own JSON into a `JSONByteWriter`: exactly the bytes its `Codable`
/// conformance gives through `OrderFlowJSON.encoder` (members sorted by key, optionals that
/// are nil left out), without going through `Encoder` and its containers.
///
/// Only the types every event and state record carries (the order, its lines, money, the
/// status event, the envelope) do this; the rest use the generic path of
/// `CompactJSONEncoder`. `DirectJSONTests` prove the bytes equal Foundation's for each.
protocol DirectJSONEncodable {
    func writeJSON(to writer: JSONByteWriter) throws
}

/// Writes one JSON object whose members the caller gives in key order (byte order of the
/// keys, as the sorted-keys encoder writes them). Keys are plain ASCII identifiers.
struct JSONObjectWriter {
    let writer: JSONByteWriter
    private var empty = true

    init(_ writer: JSONByteWriter) {
        self.writer = writer
        writer.bytes.append(UInt8(ascii: "{"))
    }

    mutating func key(_ key: StaticString) {
        if empty { empty = false } else { writer.bytes.append(UInt8(ascii: ",")) }
        writer.bytes.append(UInt8(ascii: "\""))
        key.withUTF8Buffer { writer.bytes.append(contentsOf: $0) }
        writer.bytes.append(UInt8(ascii: "\""))
        writer.bytes.append(UInt8(ascii: ":"))
    }

    mutating func string(_ key: StaticString, _ value: String) {
        self.key(key)
        writer.writeString(value)
    }

    mutating func string(_ key: StaticString, _ value: String?) {
        if let value { string(key, value) }
    }

    mutating func identifier<I: RawRepresentable<String>>(_ key: StaticString, _ value: I) {
        string(key, value.rawValue)
    }

    mutating func identifier<I: RawRepresentable<String>>(_ key: StaticString, _ value: I?) {
        if let value { string(key, value.rawValue) }
    }

    mutating func integer(_ key: StaticString, _ value: Int) {
        self.key(key)
        writer.writeInteger(value)
    }

    mutating func bool(_ key: StaticString, _ value: Bool) {
        self.key(key)
        writer.writeBool(value)
    }

    mutating func date(_ key: StaticString, _ value: Date) {
        self.key(key)
        writer.writeDate(value)
    }

    mutating func date(_ key: StaticString, _ value: Date?) {
        if let value { date(key, value) }
    }

    /// Any other member, through the writer (direct where the type is, generic otherwise).
    mutating func value<T: Encodable>(_ key: StaticString, _ value: T) throws {
        self.key(key)
        try writer.encode(value)
    }

    mutating func value<T: Encodable>(_ key: StaticString, _ value: T?) throws {
        if let value { try self.value(key, value) }
    }

    func close() { writer.bytes.append(UInt8(ascii: "}")) }
}

extension Money: DirectJSONEncodable {
    func writeJSON(to writer: JSONByteWriter) {
        var object = JSONObjectWriter(writer)
        object.string("amount", ExactDecimal.formatIfExact(amount, scale: Self.minorUnitDigits) ?? ExactDecimal.plain(amount))
        object.string("currency", currency)
        object.close()
    }
}

extension DecimalString: DirectJSONEncodable {
    func writeJSON(to writer: JSONByteWriter) { writer.writeString(ExactDecimal.plain(value)) }
}

extension Totals: DirectJSONEncodable {
    func writeJSON(to writer: JSONByteWriter) {
        var object = JSONObjectWriter(writer)
        object.key("gross"); gross.writeJSON(to: writer)
        object.key("net"); net.writeJSON(to: writer)
        object.key("tax"); tax.writeJSON(to: writer)
        object.close()
    }
}

extension Address: DirectJSONEncodable {
    func writeJSON(to writer: JSONByteWriter) {
        var object = JSONObjectWriter(writer)
        object.string("city", city)
        object.string("country", country)
        object.string("line1", line1)
        object.string("line2", line2)
        object.string("name", name)
        object.string("phone", phone)
        object.string("postalCode", postalCode)
        object.string("region", region)
        object.close()
    }
}

extension OrderLine: DirectJSONEncodable {
    func writeJSON(to writer: JSONByteWriter) {
        var object = JSONObjectWriter(writer)
        object.integer("leadTimeDays", leadTimeDays)
        object.integer("lineNumber", lineNumber)
        object.key("listPrice"); listPrice.writeJSON(to: writer)
        object.bool("madeToOrder", madeToOrder)
        object.integer("quantity", quantity)
        object.identifier("sku", sku)
        object.key("taxRate"); taxRate.writeJSON(to: writer)
        object.key("unitPrice"); unitPrice.writeJSON(to: writer)
        if let weightKg { object.key("weightKg"); weightKg.writeJSON(to: writer) }
        object.close()
    }
}

extension Order: DirectJSONEncodable {
    func writeJSON(to writer: JSONByteWriter) {
        var object = JSONObjectWriter(writer)
        object.string("channel", channel)
        object.string("currency", currency)
        object.identifier("customerId", customerId)
        object.string("customerRegion", customerRegion)
        object.string("customerTier", customerTier)
        object.string("externalOrderId", externalOrderId)
        object.identifier("id", id)
        object.key("lines")
        writer.bytes.append(UInt8(ascii: "["))
        for (index, line) in lines.enumerated() {
            if index > 0 { writer.bytes.append(UInt8(ascii: ",")) }
            line.writeJSON(to: writer)
        }
        writer.bytes.append(UInt8(ascii: "]"))
        object.string("notes", notes)
        object.string("paymentTerms", paymentTerms)
        object.integer("paymentTermsDays", paymentTermsDays)
        object.identifier("priority", priority)
        object.date("receivedAt", receivedAt)
        if let requestedDeliveryDate { object.string("requestedDeliveryDate", requestedDeliveryDate.description) }
        object.key("shipTo"); shipTo.writeJSON(to: writer)
        object.string("shippingMethod", shippingMethod)
        object.date("submittedAt", submittedAt)
        object.key("totals"); totals.writeJSON(to: writer)
        object.close()
    }
}

extension OrderRef: DirectJSONEncodable {
    func writeJSON(to writer: JSONByteWriter) {
        var object = JSONObjectWriter(writer)
        object.string("channel", channel)
        object.string("externalOrderId", externalOrderId)
        object.identifier("orderId", orderId)
        object.close()
    }
}

extension Reason: DirectJSONEncodable {
    func writeJSON(to writer: JSONByteWriter) {
        var object = JSONObjectWriter(writer)
        object.identifier("code", code)
        object.string("message", message)
        object.close()
    }
}

extension OrderStatusChanged: DirectJSONEncodable {
    func writeJSON(to writer: JSONByteWriter) {
        var object = JSONObjectWriter(writer)
        object.date("at", at)
        object.string("channel", channel)
        object.string("department", department)
        if let details { object.key("details"); writer.writeStringMap(details) }
        object.string("externalOrderId", externalOrderId)
        object.identifier("orderId", orderId)
        if let reasons {
            object.key("reasons")
            writer.bytes.append(UInt8(ascii: "["))
            for (index, reason) in reasons.enumerated() {
                if index > 0 { writer.bytes.append(UInt8(ascii: ",")) }
                reason.writeJSON(to: writer)
            }
            writer.bytes.append(UInt8(ascii: "]"))
        }
        object.identifier("status", status)
        object.close()
    }
}

extension TypedEnvelope: DirectJSONEncodable {
    func writeJSON(to writer: JSONByteWriter) throws {
        var object = JSONObjectWriter(writer)
        object.string("causationid", causationid)
        object.string("correlationid", correlationid)
        try object.value("data", data)
        object.string("datacontenttype", datacontenttype)
        object.integer("dataversion", dataversion)
        object.string("id", id)
        object.string("source", source)
        object.string("specversion", specversion)
        object.string("subject", subject)
        object.date("time", time)
        object.string("type", type)
        object.close()
    }
}
