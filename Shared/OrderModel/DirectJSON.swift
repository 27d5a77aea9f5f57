import Foundation

/// A type that writes its own JSON into a `JSONByteWriter`: exactly the bytes its `Codable`
/// conformance gives through `OrderFlowJSON.encoder` (members sorted by key, optionals that
/// are nil left out), without going through `Encoder` and its containers.
///
/// Only the types every event and state record carries (the order, its lines, money, the
/// status event, the envelope) do this; the rest use the generic path of
/// `CompactJSONEncoder`. `DirectJSONTests` prove the bytes equal Foundation's for each.
package protocol DirectJSONEncodable {
    func writeJSON(to writer: JSONByteWriter) throws
}

/// Writes one JSON object whose members the caller gives in key order (byte order of the
/// keys, as the sorted-keys encoder writes them). Keys are plain ASCII identifiers.
package struct JSONObjectWriter {
    package let writer: JSONByteWriter
    private var empty = true

    package init(_ writer: JSONByteWriter) {
        self.writer = writer
        writer.bytes.append(UInt8(ascii: "{"))
    }

    package mutating func key(_ key: StaticString) {
        if empty { empty = false } else { writer.bytes.append(UInt8(ascii: ",")) }
        writer.bytes.append(UInt8(ascii: "\""))
        key.withUTF8Buffer { writer.bytes.append(contentsOf: $0) }
        writer.bytes.append(UInt8(ascii: "\""))
        writer.bytes.append(UInt8(ascii: ":"))
    }

    package mutating func string(_ key: StaticString, _ value: String) {
        self.key(key)
        writer.writeString(value)
    }

    package mutating func string(_ key: StaticString, _ value: String?) {
        if let value { string(key, value) }
    }

    package mutating func identifier<I: RawRepresentable<String>>(_ key: StaticString, _ value: I) {
        string(key, value.rawValue)
    }

    package mutating func identifier<I: RawRepresentable<String>>(_ key: StaticString, _ value: I?) {
        if let value { string(key, value.rawValue) }
    }

    package mutating func bool(_ key: StaticString, _ value: Bool) {
        self.key(key)
        writer.writeBool(value)
    }

    package mutating func date(_ key: StaticString, _ value: Date) {
        self.key(key)
        writer.writeDate(value)
    }

    package mutating func date(_ key: StaticString, _ value: Date?) {
        if let value { date(key, value) }
    }

    /// Any other member, through the writer (direct where the type is, generic otherwise).
    package mutating func value<T: Encodable>(_ key: StaticString, _ value: T) throws {
        self.key(key)
        try writer.encode(value)
    }

    package mutating func value<T: Encodable>(_ key: StaticString, _ value: T?) throws {
        if let value { try self.value(key, value) }
    }

    /// An array of values that write their own JSON.
    package mutating func array<T: DirectJSONEncodable>(_ key: StaticString, _ elements: [T]) throws {
        self.key(key)
        writer.bytes.append(UInt8(ascii: "["))
        for (index, element) in elements.enumerated() {
            if index > 0 { writer.bytes.append(UInt8(ascii: ",")) }
            try element.writeJSON(to: writer)
        }
        writer.bytes.append(UInt8(ascii: "]"))
    }

    package mutating func integer<I: BinaryInteger>(_ key: StaticString, _ value: I) {
        self.key(key)
        writer.writeInteger(value)
    }

    package mutating func integer<I: BinaryInteger>(_ key: StaticString, _ value: I?) {
        if let value { integer(key, value) }
    }

    /// A `Decimal` as Foundation's encoder writes it: a JSON number.
    package mutating func decimal(_ key: StaticString, _ value: Decimal) {
        self.key(key)
        writer.writeRaw(value.description)
    }

    /// A member that writes its own JSON, called directly (no dynamic cast on the way).
    package mutating func object<T: DirectJSONEncodable>(_ key: StaticString, _ value: T) throws {
        self.key(key)
        try value.writeJSON(to: writer)
    }

    package mutating func object<T: DirectJSONEncodable>(_ key: StaticString, _ value: T?) throws {
        if let value { try object(key, value) }
    }

    /// An order: through the writer, which reuses the bytes of an unchanged order.
    package mutating func order(_ key: StaticString, _ value: Order) throws {
        self.key(key)
        try writer.encode(value)
    }

    package mutating func strings(_ key: StaticString, _ values: [String]) {
        self.key(key)
        writer.bytes.append(UInt8(ascii: "["))
        for (index, value) in values.enumerated() {
            if index > 0 { writer.bytes.append(UInt8(ascii: ",")) }
            writer.writeString(value)
        }
        writer.bytes.append(UInt8(ascii: "]"))
    }

    package mutating func identifiers<I: RawRepresentable<String>>(_ key: StaticString, _ values: [I]) {
        strings(key, values.map(\.rawValue))
    }

    package mutating func dates(_ key: StaticString, _ values: [Date]) {
        self.key(key)
        writer.bytes.append(UInt8(ascii: "["))
        for (index, value) in values.enumerated() {
            if index > 0 { writer.bytes.append(UInt8(ascii: ",")) }
            writer.writeDate(value)
        }
        writer.bytes.append(UInt8(ascii: "]"))
    }

    package func close() { writer.bytes.append(UInt8(ascii: "}")) }
}

extension Money: DirectJSONEncodable {
    package func writeJSON(to writer: JSONByteWriter) {
        var object = JSONObjectWriter(writer)
        object.string("amount", ExactDecimal.formatIfExact(amount, scale: Self.minorUnitDigits) ?? ExactDecimal.plain(amount))
        object.string("currency", currency)
        object.close()
    }
}

extension DecimalString: DirectJSONEncodable {
    package func writeJSON(to writer: JSONByteWriter) { writer.writeString(ExactDecimal.plain(value)) }
}

extension Totals: DirectJSONEncodable {
    package func writeJSON(to writer: JSONByteWriter) {
        var object = JSONObjectWriter(writer)
        object.key("gross"); gross.writeJSON(to: writer)
        object.key("net"); net.writeJSON(to: writer)
        object.key("tax"); tax.writeJSON(to: writer)
        object.close()
    }
}

extension Address: DirectJSONEncodable {
    package func writeJSON(to writer: JSONByteWriter) {
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
    package func writeJSON(to writer: JSONByteWriter) {
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
    package func writeJSON(to writer: JSONByteWriter) throws {
        var object = JSONObjectWriter(writer)
        object.string("channel", channel)
        object.string("currency", currency)
        object.identifier("customerId", customerId)
        object.string("customerRegion", customerRegion)
        object.string("customerTier", customerTier)
        object.string("externalOrderId", externalOrderId)
        object.identifier("id", id)
        try object.array("lines", lines)
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
    package func writeJSON(to writer: JSONByteWriter) {
        var object = JSONObjectWriter(writer)
        object.string("channel", channel)
        object.string("externalOrderId", externalOrderId)
        object.identifier("orderId", orderId)
        object.close()
    }
}

extension Reason: DirectJSONEncodable {
    package func writeJSON(to writer: JSONByteWriter) {
        var object = JSONObjectWriter(writer)
        object.identifier("code", code)
        object.string("message", message)
        object.close()
    }
}

extension OrderStatusChanged: DirectJSONEncodable {
    package func writeJSON(to writer: JSONByteWriter) throws {
        var object = JSONObjectWriter(writer)
        object.date("at", at)
        object.string("channel", channel)
        object.string("department", department)
        if let details { object.key("details"); writer.writeStringMap(details) }
        object.string("externalOrderId", externalOrderId)
        object.identifier("orderId", orderId)
        if let reasons { try object.array("reasons", reasons) }
        object.identifier("status", status)
        object.close()
    }
}

extension TypedEnvelope: DirectJSONEncodable {
    package func writeJSON(to writer: JSONByteWriter) throws {
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

// MARK: - Reading

/// A type that reads itself straight from `CompactJSONDecoder`'s parsed nodes, with the
/// result its `Codable` conformance gives through `OrderFlowJSON.decoder`. Anything
/// unexpected (a missing key, a wrong type, a value the conformance would refuse) throws
/// `context.fail()`: the whole document is then decoded again by Foundation, so errors
/// stay Foundation's own. For the order and its parts, which most inbound events carry.
protocol DirectJSONDecodable {
    init(direct reader: JSONObjectReader) throws
}

/// The members of one parsed JSON object, found by key.
struct JSONObjectReader {
    let context: DecodingContext
    private let members: [(start: Int, length: Int, value: Int)]

    init(_ context: DecodingContext, at index: Int) throws {
        guard context.nodes[index].kind == .object else { throw context.fail() }
        self.context = context
        self.members = context.members(of: index)
    }

    /// The node of `key`'s value; nil when the key is missing or its value is null.
    func value(_ key: StaticString) -> Int? {
        let count = key.utf8CodeUnitCount
        let found: Int? = context.bytes.withUnsafeBufferPointer { bytes in
            for member in members where member.length == count {
                if memcmp(bytes.baseAddress! + member.start, key.utf8Start, count) == 0 { return member.value }
            }
            return nil
        }
        guard let found, !context.isNull(found) else { return nil }
        return found
    }

    private func require(_ key: StaticString) throws -> Int {
        guard let index = value(key) else { throw context.fail() }
        return index
    }

    func string(_ key: StaticString) throws -> String { try context.string(at: require(key)) }
    func optionalString(_ key: StaticString) throws -> String? { try value(key).map { try context.string(at: $0) } }
    func integer(_ key: StaticString) throws -> Int { try context.integer(Int.self, at: require(key)) }
    func bool(_ key: StaticString) throws -> Bool { try context.bool(at: require(key)) }
    func date(_ key: StaticString) throws -> Date { try context.date(at: require(key)) }
    func optionalDate(_ key: StaticString) throws -> Date? { try value(key).map { try context.date(at: $0) } }

    func identifier<I: RawRepresentable<String>>(_ key: StaticString, as type: I.Type = I.self) throws -> I {
        guard let value = I(rawValue: try string(key)) else { throw context.fail() }
        return value
    }

    func decimalString(_ key: StaticString) throws -> Decimal {
        guard let value = ExactDecimal.parse(try string(key)) else { throw context.fail() }
        return value
    }

    func object<T: DirectJSONDecodable>(_ key: StaticString, as type: T.Type = T.self) throws -> T {
        try T(direct: JSONObjectReader(context, at: require(key)))
    }

    func array<T: DirectJSONDecodable>(_ key: StaticString, of type: T.Type) throws -> [T] {
        let index = try require(key)
        guard context.nodes[index].kind == .array else { throw context.fail() }
        return try context.elements(of: index).map { try T(direct: JSONObjectReader(context, at: $0)) }
    }
}

extension Money: DirectJSONDecodable {
    init(direct reader: JSONObjectReader) throws {
        self.init(try reader.decimalString("amount"), try reader.string("currency"))
    }
}

extension Totals: DirectJSONDecodable {
    init(direct reader: JSONObjectReader) throws {
        self.init(net: try reader.object("net"), tax: try reader.object("tax"), gross: try reader.object("gross"))
    }
}

extension Address: DirectJSONDecodable {
    init(direct reader: JSONObjectReader) throws {
        self.init(name: try reader.string("name"), phone: try reader.optionalString("phone"), line1: try reader.string("line1"),
                  line2: try reader.optionalString("line2"), city: try reader.string("city"), region: try reader.string("region"),
                  postalCode: try reader.string("postalCode"), country: try reader.string("country"))
    }
}

extension OrderLine: DirectJSONDecodable {
    init(direct reader: JSONObjectReader) throws {
        let weight = try reader.value("weightKg").map { _ in DecimalString(try reader.decimalString("weightKg")) }
        self.init(lineNumber: try reader.integer("lineNumber"), sku: try reader.identifier("sku"), quantity: try reader.integer("quantity"),
                  unitPrice: try reader.object("unitPrice"), listPrice: try reader.object("listPrice"),
                  taxRate: DecimalString(try reader.decimalString("taxRate")), madeToOrder: try reader.bool("madeToOrder"),
                  leadTimeDays: try reader.integer("leadTimeDays"), weightKg: weight)
    }
}

extension Order: DirectJSONDecodable {
    init(direct reader: JSONObjectReader) throws {
        let requested = try reader.optionalString("requestedDeliveryDate").map { text in
            guard let date = LocalDate(text) else { throw reader.context.fail() }
            return date
        }
        self.init(id: try reader.identifier("id"), channel: try reader.string("channel"),
                  externalOrderId: try reader.string("externalOrderId"), customerId: try reader.identifier("customerId"),
                  customerTier: try reader.string("customerTier"), customerRegion: try reader.optionalString("customerRegion"),
                  currency: try reader.string("currency"), lines: try reader.array("lines", of: OrderLine.self),
                  shipTo: try reader.object("shipTo"), requestedDeliveryDate: requested,
                  paymentTerms: try reader.optionalString("paymentTerms"), paymentTermsDays: try reader.integer("paymentTermsDays"),
                  shippingMethod: try reader.string("shippingMethod"), priority: try reader.identifier("priority"),
                  notes: try reader.optionalString("notes"), submittedAt: try reader.optionalDate("submittedAt"),
                  receivedAt: try reader.date("receivedAt"), totals: try reader.object("totals"))
    }
}
