import Foundation
import Kafka
import OrderModel

/// The CloudEvents Kafka protocol binding (cloudevents/spec, bindings/kafka-protocol-binding.md).
///
/// OrderFlow writes **structured mode**: the value is the whole event in the JSON event
/// format, marked with the header `content-type: application/cloudevents+json`, and no
/// `ce_*` headers (contract Additions v1.1). Readers accept both modes from outside senders:
///
/// - structured: a `content-type` header starting with `application/cloudevents`
///   (case-insensitive), or no `content-type` and no `ce_specversion` (what senders wrote
///   before the header was part of the contract: a JSON envelope with `specversion`);
/// - binary: a `ce_specversion` header (and a `content-type` that is not a CloudEvents
///   type): the attributes are the `ce_` headers, `content-type` is `datacontenttype`, the
///   value is `data` alone.
public enum CloudEventsKafka {
    /// The `content-type` of structured mode with the JSON event format.
    public static let structuredContentType = "application/cloudevents+json"
    /// The header name for the media type (of the event format in structured mode, of `data` in binary mode).
    public static let contentTypeHeader = "content-type"
    /// Prefix of an attribute's header name in binary mode.
    public static let attributePrefix = "ce_"

    /// The headers OrderFlow puts on every event it publishes. One shared dictionary, so
    /// writing an event allocates no headers of its own.
    public static let structuredHeaders: [String: String] = [contentTypeHeader: structuredContentType]

    /// How a message carries its event.
    public enum Mode: Sendable, Hashable {
        /// `content-type` says structured mode with the JSON event format.
        case structured
        /// Neither a CloudEvents `content-type` nor `ce_specversion`: read as structured
        /// (a JSON envelope), the way senders wrote events before the header was required.
        case undeclared
        /// `ce_specversion` is a header: attributes in `ce_` headers, the value is `data`.
        case binary
        /// `content-type` names a CloudEvents format this build cannot read (e.g.
        /// `application/cloudevents+avro`, or the batch format, which the Kafka binding has not).
        case unsupportedFormat(String)
    }

    /// The mode of a message, from its headers alone (one pass, no allocation for our own
    /// messages). A CloudEvents `content-type` wins over `ce_` headers, as the spec says.
    public static func mode(of headers: [KafkaHeader]) -> Mode {
        var binary = false
        for header in headers {
            if header.key == contentTypeHeader {
                guard let value = header.value, hasCloudEventsPrefix(value) else { continue }
                return isJSONEventFormat(value) ? .structured : .unsupportedFormat(String(decoding: value.prefix(200), as: UTF8.self))
            }
            if header.key == "ce_specversion" { binary = true }
        }
        return binary ? .binary : .undeclared
    }

    private static let cloudEventsMediaType = Array("application/cloudevents".utf8)
    private static let jsonFormatSuffix = Array("+json".utf8)

    /// `value` starts with `application/cloudevents`, matched case-insensitively.
    static func hasCloudEventsPrefix(_ value: [UInt8]) -> Bool {
        guard value.count >= cloudEventsMediaType.count else { return false }
        for index in cloudEventsMediaType.indices where lowercased(value[index]) != cloudEventsMediaType[index] { return false }
        return true
    }

    /// `application/cloudevents+json`, with or without parameters (`; charset=UTF-8`).
    static func isJSONEventFormat(_ value: [UInt8]) -> Bool {
        let start = cloudEventsMediaType.count
        guard value.count >= start + jsonFormatSuffix.count else { return false }
        for offset in jsonFormatSuffix.indices where lowercased(value[start + offset]) != jsonFormatSuffix[offset] { return false }
        let end = start + jsonFormatSuffix.count
        return end == value.count || value[end] == UInt8(ascii: ";") || value[end] == UInt8(ascii: " ")
    }

    private static func lowercased(_ byte: UInt8) -> UInt8 {
        byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte + 32 : byte
    }

    /// Whether a `datacontenttype` is JSON: absent (the JSON default), `application/json`,
    /// `text/json`, or any `…/…+json`; parameters are ignored.
    public static func isJSONDataContentType(_ contentType: String?) -> Bool {
        guard let contentType else { return true }
        let mediaType = contentType.split(separator: ";", maxSplits: 1).first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        return mediaType.isEmpty || mediaType == "application/json" || mediaType == "text/json" || mediaType.hasSuffix("+json")
    }

    /// Dead-letter reason for a `content-type` this build cannot read (a CloudEvents format
    /// other than JSON, or binary-mode `data` that is not JSON).
    public static let unsupportedContentType = EventDecodingError.Code(rawValue: "unsupported_content_type")

    /// The envelope of a binary-mode message: attributes from the `ce_` headers (values as
    /// UTF-8 strings; `ce_dataversion` a decimal integer), `datacontenttype` from
    /// `content-type`, `data` parsed from the value. The same attributes are required as in
    /// structured mode (`specversion` 1.0, `id`, `source`, `type`, `time`), with the same
    /// dead-letter reasons when they are missing or wrong.
    public static func envelope(binary headers: [KafkaHeader], value: [UInt8]) throws(EventDecodingError) -> EventEnvelope {
        var attributes: [String: String] = [:]
        var contentType: String?
        for header in headers {
            guard let bytes = header.value else { continue }
            if header.key == contentTypeHeader {
                contentType = String(decoding: bytes, as: UTF8.self)
            } else if header.key.hasPrefix(attributePrefix) {
                attributes[String(header.key.dropFirst(attributePrefix.count))] = String(decoding: bytes, as: UTF8.self)
            }
        }
        func required(_ name: String) throws(EventDecodingError) -> String {
            guard let value = attributes[name], !value.isEmpty else {
                throw EventDecodingError(.notAnEnvelope, "binary-mode CloudEvent without the header ce_\(name)")
            }
            return value
        }
        let specversion = try required("specversion")
        guard specversion == "1.0" else {
            throw EventDecodingError(.notAnEnvelope, "binary-mode CloudEvent with ce_specversion \(specversion) (this build reads 1.0)")
        }
        let id = try required("id"), source = try required("source"), type = try required("type")
        let timeText = try required("time")
        guard let time = Timestamp.parse(timeText) else {
            throw EventDecodingError(.notAnEnvelope, "binary-mode CloudEvent: ce_time '\(timeText.prefix(100))' is not an RFC 3339 time")
        }
        var dataversion = 1
        if let text = attributes["dataversion"] {
            guard let version = Int(text) else {
                throw EventDecodingError(.notAnEnvelope, "binary-mode CloudEvent: ce_dataversion '\(text.prefix(100))' is not an integer")
            }
            dataversion = version
        }
        guard isJSONDataContentType(contentType) else {
            throw EventDecodingError(unsupportedContentType,
                                     "binary-mode CloudEvent with content-type '\(contentType ?? "")': data must be JSON (application/json)")
        }
        guard let data = try? OrderFlowJSON.decoder.decode(JSONValue.self, from: Data(value)) else {
            throw EventDecodingError(.notJSON, "binary-mode CloudEvent whose value (its data) is not valid JSON")
        }
        var envelope = EventEnvelope(id: id, source: source, type: type, subject: attributes["subject"], time: time,
                                     dataversion: dataversion, correlationid: attributes["correlationid"],
                                     causationid: attributes["causationid"], data: data)
        envelope.datacontenttype = contentType ?? "application/json"
        return envelope
    }

    /// Decodes a message's event in whichever mode it came (for tools and readers off the
    /// hot path; the inbox uses `InboxDecoder`).
    public static func decode(_ message: KafkaMessage, registry: EventRegistry = .standard) throws(EventDecodingError) -> DecodedEvent {
        guard let value = message.value else { throw EventDecodingError(.notJSON, "a message without a value") }
        switch mode(of: message.headers) {
        case .structured, .undeclared:
            return try registry.decode(value)
        case .binary:
            return try registry.decode(envelope(binary: message.headers, value: value))
        case .unsupportedFormat(let contentType):
            throw EventDecodingError(unsupportedContentType, "content-type '\(contentType)' is a CloudEvents format this build does not read (it reads application/cloudevents+json)")
        }
    }

    /// The `id` and `type` of a structured-mode envelope, read from its bytes (for log lines
    /// and listings of rows that are not decoded otherwise, such as parked outbox rows).
    public static func idAndType(ofEnvelope value: [UInt8]?) -> (id: String, type: String)? {
        guard let value, let head = try? OrderFlowJSON.decoder.decode(EnvelopeIdentity.self, from: Data(value)) else { return nil }
        return (head.id, head.type)
    }

    private struct EnvelopeIdentity: Decodable {
        var id: String
        var type: String
    }
}
