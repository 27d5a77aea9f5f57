import Foundation

/// Why bytes could not be turned into a known event. `code` is what goes into the dead
/// letter's `reason` header; `message` says more.
public struct EventDecodingError: Error, Sendable, CustomStringConvertible, Hashable {
    public struct Code: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The bytes are not JSON.
        public static let notJSON = Code(rawValue: "not_json")
        /// JSON, but not a CloudEvents envelope (missing id, type, source, time …).
        public static let notAnEnvelope = Code(rawValue: "invalid_envelope")
        /// The envelope's `type` is not one this service knows.
        public static let unknownType = Code(rawValue: "unknown_event_type")
        /// `dataversion` is newer than this build knows, or not a valid version.
        public static let unsupportedVersion = Code(rawValue: "unsupported_dataversion")
        /// `data` does not match the schema of its type and version.
        public static let invalidData = Code(rawValue: "invalid_data")
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }
}

/// Turns one version of an event's `data` into the next (`from` → `from + 1`).
public typealias Upcaster = @Sendable (JSONValue) throws -> JSONValue

/// Knows every event type, its current `dataversion` and how to upcast older versions.
/// Decoding is by (`type`, `dataversion`): older versions are upcast step by step, newer
/// ones are refused (they go to the dead letter; they are never guessed at).
public struct EventRegistry: Sendable {
    struct Entry: Sendable {
        var currentVersion: Int
        var upcasters: [Int: Upcaster]
        var decode: @Sendable (JSONValue) throws -> any EventPayload
        /// Decodes a whole envelope of the current version straight from its bytes.
        var decodeCurrent: @Sendable (Data) throws -> (InboundEnvelope, any EventPayload)
        /// The same from a document the compact decoder has parsed (fails where it would fall back).
        var decodeParsed: @Sendable (DecodingContext) throws -> (InboundEnvelope, any EventPayload)
    }

    private var entries: [String: Entry] = [:]

    public init() {}

    /// Registers `type` at its current version, with upcasters keyed by the version they
    /// read (`[1: v1→v2, 2: v2→v3]`).
    public mutating func register<P: EventPayload>(_ type: P.Type, upcasters: [Int: Upcaster] = [:]) {
        entries[P.eventType] = Entry(currentVersion: P.dataVersion, upcasters: upcasters, decode: { data in
            try data.decode(P.self)
        }, decodeCurrent: { bytes in
            let typed = try OrderFlowJSON.decode(TypedEnvelope<P>.self, from: bytes)
            return (InboundEnvelope(typed), typed.data)
        }, decodeParsed: { parsed in
            let typed = try CompactJSONDecoder().decode(TypedEnvelope<P>.self, in: parsed)
            CompactJSONDecoder.compactDecodes.add(1, ordering: .relaxed)
            return (InboundEnvelope(typed), typed.data)
        })
    }

    /// The registered event types.
    public var eventTypes: [String] { entries.keys.sorted() }

    /// Decodes an envelope's bytes into a typed event.
    public func decode(_ bytes: some Collection<UInt8>) throws(EventDecodingError) -> DecodedEvent {
        let data = Data(bytes)
        guard let json = try? OrderFlowJSON.decoder.decode(JSONValue.self, from: data) else {
            throw EventDecodingError(.notJSON, "the value is not valid JSON")
        }
        let envelope: EventEnvelope
        do {
            envelope = try json.decode(EventEnvelope.self)
        } catch {
            throw EventDecodingError(.notAnEnvelope, "not a CloudEvents envelope: \(Self.describe(error))")
        }
        return try decode(envelope)
    }

    /// Decodes an envelope's bytes for processing: the envelope's attributes and the typed
    /// payload, at the current version. The common case — a known type at its current
    /// version — is read straight from the bytes in one pass; older versions go through a
    /// JSON tree to be upcast; whatever fails the fast path is read again the careful way,
    /// so errors (and dead-letter reasons) are exactly those of `decode(_:)`.
    public func decodeForProcessing(_ bytes: Data) throws(EventDecodingError) -> (InboundEnvelope, any EventPayload) {
        // The common case: parsed once, head and typed envelope read from the same nodes.
        if let parsed = try? CompactJSONDecoder.parse(bytes),
           let head = try? CompactJSONDecoder().decode(EnvelopeHead.self, in: parsed),
           let entry = entries[head.type], (head.dataversion ?? 1) == entry.currentVersion,
           let decoded = try? entry.decodeParsed(parsed) {
            return decoded
        }
        if let head = try? OrderFlowJSON.decode(EnvelopeHead.self, from: bytes),
           let entry = entries[head.type], (head.dataversion ?? 1) == entry.currentVersion,
           let decoded = try? entry.decodeCurrent(bytes) {
            return decoded
        }
        let slow = try decode(bytes)
        return (InboundEnvelope(slow.envelope), slow.payload)
    }

    /// Upcasts and decodes the `data` of an already parsed envelope.
    public func decode(_ envelope: EventEnvelope) throws(EventDecodingError) -> DecodedEvent {
        guard let entry = entries[envelope.type] else {
            throw EventDecodingError(.unknownType, "event type '\(envelope.type)' is not known here")
        }
        guard envelope.dataversion >= 1, envelope.dataversion <= entry.currentVersion else {
            throw EventDecodingError(.unsupportedVersion,
                "\(envelope.type) dataversion \(envelope.dataversion) is not supported (this build reads 1...\(entry.currentVersion))")
        }
        var data = envelope.data
        var version = envelope.dataversion
        while version < entry.currentVersion {
            guard let upcast = entry.upcasters[version] else {
                throw EventDecodingError(.unsupportedVersion, "\(envelope.type) has no upcaster from dataversion \(version)")
            }
            do { data = try upcast(data) } catch {
                throw EventDecodingError(.invalidData, "\(envelope.type) v\(version) could not be upcast: \(Self.describe(error))")
            }
            version += 1
        }
        do {
            let payload = try entry.decode(data)
            var upcastEnvelope = envelope
            upcastEnvelope.data = data
            upcastEnvelope.dataversion = version
            return DecodedEvent(envelope: upcastEnvelope, payload: payload)
        } catch {
            throw EventDecodingError(.invalidData, "\(envelope.type) v\(version) data is invalid: \(Self.describe(error))")
        }
    }

    /// A short, readable account of a decoding error (the path and what was wrong).
    static func describe(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "\(error)" }
        func path(_ context: DecodingError.Context) -> String {
            let keys = context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }
            return keys.isEmpty ? "(root)" : keys.joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context): return "missing '\(key.stringValue)' at \(path(context))"
        case .typeMismatch(_, let context): return "wrong type at \(path(context)): \(context.debugDescription)"
        case .valueNotFound(_, let context): return "null at \(path(context))"
        case .dataCorrupted(let context): return "bad value at \(path(context)): \(context.debugDescription)"
        @unknown default: return "\(error)"
        }
    }
}

/// An envelope's attributes without its `data` (which the payload carries, typed).
public struct InboundEnvelope: Sendable, Hashable {
    public var id: String
    public var source: String
    public var type: String
    public var subject: String?
    public var time: Date
    public var dataversion: Int
    public var correlationid: String?
    public var causationid: String?

    init<P>(_ typed: TypedEnvelope<P>) {
        id = typed.id
        source = typed.source
        type = typed.type
        subject = typed.subject
        time = typed.time
        dataversion = typed.dataversion
        correlationid = typed.correlationid
        causationid = typed.causationid
    }

    init(_ envelope: EventEnvelope) {
        id = envelope.id
        source = envelope.source
        type = envelope.type
        subject = envelope.subject
        time = envelope.time
        dataversion = envelope.dataversion
        correlationid = envelope.correlationid
        causationid = envelope.causationid
    }
}
