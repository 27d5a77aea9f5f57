import Foundation

/// The payload (`data`) of one event type. Each conforming struct names its CloudEvents
/// `type` and the current `dataversion` of its schema.
public protocol EventPayload: Codable, Sendable, Hashable {
    /// The CloudEvents `type`, e.g. `order.approved`.
    static var eventType: String { get }
    /// The schema version of `data` that this struct reads and writes.
    static var dataVersion: Int { get }
}

/// A CloudEvents 1.0 envelope in JSON structured mode, with OrderFlow's extension
/// attributes `dataversion`, `correlationid` and `causationid`. `data` is kept as a JSON
/// tree until `EventRegistry` knows its type and version.
public struct EventEnvelope: Codable, Sendable, Hashable {
    public var specversion: String
    /// Unique per event, stable across re-delivery: a consumer that sees it twice acts once.
    public var id: String
    /// `/orderflow/<service>` for our own events; the sender's URI for inbound ones.
    public var source: String
    public var type: String
    /// The order id the event is about, where there is one.
    public var subject: String?
    public var time: Date
    public var datacontenttype: String?
    public var dataversion: Int
    public var correlationid: String?
    public var causationid: String?
    public var data: JSONValue

    public init(id: String, source: String, type: String, subject: String?, time: Date, dataversion: Int,
                correlationid: String?, causationid: String?, data: JSONValue) {
        self.specversion = "1.0"
        self.id = id
        self.source = source
        self.type = type
        self.subject = subject
        self.time = time
        self.datacontenttype = "application/json"
        self.dataversion = dataversion
        self.correlationid = correlationid
        self.causationid = causationid
        self.data = data
    }

    /// Wraps a typed payload at its current version.
    public init<P: EventPayload>(id: String, source: String, subject: String?, time: Date,
                                 correlationid: String?, causationid: String?, payload: P) throws {
        self.init(id: id, source: source, type: P.eventType, subject: subject, time: time,
                  dataversion: P.dataVersion, correlationid: correlationid, causationid: causationid,
                  data: try JSONValue(encoding: payload))
    }

    /// The envelope as JSON bytes.
    public func encoded() throws -> Data { try OrderFlowJSON.encode(self) }

    /// The bytes of an envelope around a typed payload at its current version, encoded in
    /// one pass: the same bytes as `EventEnvelope(…, payload:).encoded()`, without the
    /// detour through a JSON tree.
    public static func encoded<P: EventPayload>(id: String, source: String, subject: String?, time: Date,
                                                correlationid: String?, causationid: String?, payload: P) throws -> Data {
        try OrderFlowJSON.encode(TypedEnvelope(
            specversion: "1.0", id: id, source: source, type: P.eventType, subject: subject, time: time,
            datacontenttype: "application/json", dataversion: P.dataVersion, correlationid: correlationid,
            causationid: causationid, data: payload))
    }

    enum CodingKeys: String, CodingKey {
        case specversion, id, source, type, subject, time, datacontenttype, dataversion, correlationid, causationid, data
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        specversion = try c.decode(String.self, forKey: .specversion)
        id = try c.decode(String.self, forKey: .id)
        source = try c.decode(String.self, forKey: .source)
        type = try c.decode(String.self, forKey: .type)
        subject = try c.decodeIfPresent(String.self, forKey: .subject)
        time = try c.decode(Date.self, forKey: .time)
        datacontenttype = try c.decodeIfPresent(String.self, forKey: .datacontenttype)
        // A sender that omits dataversion means the first version.
        dataversion = try c.decodeIfPresent(Int.self, forKey: .dataversion) ?? 1
        correlationid = try c.decodeIfPresent(String.self, forKey: .correlationid)
        causationid = try c.decodeIfPresent(String.self, forKey: .causationid)
        data = try c.decodeIfPresent(JSONValue.self, forKey: .data) ?? .null
    }
}

/// An envelope whose `data` has been upcast to the current version and decoded.
public struct DecodedEvent: Sendable {
    public var envelope: EventEnvelope
    public var payload: any EventPayload

    public init(envelope: EventEnvelope, payload: any EventPayload) {
        self.envelope = envelope
        self.payload = payload
    }
}

extension EventPayload {
    /// The bytes of an envelope around this payload (see `EventEnvelope.encoded(…payload:)`);
    /// callable on `any EventPayload`.
    public func encodedEnvelope(id: String, source: String, subject: String?, time: Date, correlationid: String?,
                                causationid: String?) throws -> Data {
        try EventEnvelope.encoded(id: id, source: source, subject: subject, time: time, correlationid: correlationid,
                                  causationid: causationid, payload: self)
    }
}

/// The envelope with a typed `data`, for encoding in one pass and for decoding the current
/// version of a known type straight from the bytes. Field names and optionality are those
/// of `EventEnvelope`.
struct TypedEnvelope<Payload: Codable>: Codable {
    var specversion: String
    var id: String
    var source: String
    var type: String
    var subject: String?
    var time: Date
    var datacontenttype: String?
    var dataversion: Int
    var correlationid: String?
    var causationid: String?
    var data: Payload
}

/// The two fields that say how to read the rest of an envelope.
struct EnvelopeHead: Decodable {
    var type: String
    var dataversion: Int?
}

/// Event ids: UUIDs whose first 48 bits are the milliseconds since 1970 (the layout of
/// RFC 9562's version 7), so ids created one after another sort one after another. Every
/// consumer's inbox is indexed by event id: time-ordered ids are appended at the end of
/// that index instead of landing on a random page of it, which keeps the cost of an
/// insert flat as the inbox grows.
public enum EventID {
    /// A new id, e.g. `0193a1c2-7f00-7abc-8def-0123456789ab`.
    public static func make(at date: Date = Date()) -> String {
        let millis = UInt64(max(0, date.timeIntervalSince1970 * 1000))
        var bytes: (UInt64, UInt64) = (0, 0)
        // glibc's arc4random: a per-thread cryptographic generator, no system call per id.
        withUnsafeMutableBytes(of: &bytes) { arc4random_buf($0.baseAddress!, 16) }
        return withUnsafeMutableBytes(of: &bytes) { raw in
            for index in 0..<6 { raw[index] = UInt8(truncatingIfNeeded: millis >> (8 * (5 - UInt64(index)))) }
            raw[6] = 0x70 | (raw[6] & 0x0F)   // version 7
            raw[8] = 0x80 | (raw[8] & 0x3F)   // RFC 4122 variant
            return hyphenatedHex(raw)
        }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`, lower case, as `UUID.uuidString.lowercased()`.
    static func hyphenatedHex(_ raw: UnsafeMutableRawBufferPointer) -> String {
        String(unsafeUninitializedCapacity: 36) { out in
            var position = 0
            for index in 0..<16 {
                if index == 4 || index == 6 || index == 8 || index == 10 {
                    out[position] = UInt8(ascii: "-")
                    position += 1
                }
                out[position] = hexDigits[Int(raw[index] >> 4)]
                out[position + 1] = hexDigits[Int(raw[index] & 0x0F)]
                position += 2
            }
            return position
        }
    }
}
