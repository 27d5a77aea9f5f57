import Foundation
import Synchronization

/// A JSON encoder that writes the same bytes as `OrderFlowJSON.encoder` (sorted keys,
/// unescaped slashes, RFC 3339 dates with milliseconds) straight into one byte buffer,
/// without Foundation's intermediate tree and per-value type checks. Every event and state
/// record is encoded with it, so this is the hot path of every service.
///
/// It covers the shapes `Codable` synthesis and OrderFlow's own types produce: keyed,
/// unkeyed and single-value containers, each filled before the next value of its parent
/// is written. A type that asks for a nested container or a super-encoder makes it throw
/// `Unsupported`; `OrderFlowJSON.encode` then uses Foundation's encoder for that value, so
/// the bytes are the same either way.
struct CompactJSONEncoder {
    /// The value's encoding asked for something this encoder does not do.
    struct Unsupported: Error {}

    func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        let writer = JSONByteWriter()
        try writer.encode(value)
        return writer.bytes
    }
}

/// The buffer and the encoding logic shared by all containers of one `encode` call.
package final class JSONByteWriter {
    /// Only ever touched by the one `encode` call that owns this writer, on one thread.
    @exclusivity(unchecked) package var bytes: [UInt8] = []

    init() { bytes.reserveCapacity(1024) }

    /// Writes one value: scalars directly, anything else through its `encode(to:)`.
    package func encode<T: Encodable>(_ value: T) throws {
        // Metatype comparisons, not dynamic casts: cheap in specialised and generic code.
        if T.self == String.self { writeString(unsafeBitCast(value, to: String.self)); return }
        if T.self == Int.self { writeInteger(unsafeBitCast(value, to: Int.self)); return }
        if T.self == Bool.self { writeBool(unsafeBitCast(value, to: Bool.self)); return }
        if T.self == Date.self { writeDate(value as! Date); return }
        if T.self == Decimal.self { writeRaw((value as! Decimal).description); return }
        if T.self == Int64.self { writeInteger(value as! Int64); return }
        if T.self == Int32.self { writeInteger(value as! Int32); return }
        if T.self == UInt.self { writeInteger(value as! UInt); return }
        if T.self == UInt64.self { writeInteger(value as! UInt64); return }
        if T.self == Double.self || T.self == Float.self || T.self == Data.self || T.self == URL.self {
            // Foundation has its own rules for these; none of OrderFlow's types use them.
            throw CompactJSONEncoder.Unsupported()
        }
        if T.self == Order.self { try encodeOrder(value as! Order); return }
        if T.self == [String: String].self { writeStringMap(value as! [String: String]); return }
        if let direct = value as? any DirectJSONEncodable { try direct.writeJSON(to: self); return }
        try encodeComposite(value)
    }

    private func encodeComposite<T: Encodable>(_ value: T) throws {
        let encoder = ValueEncoder(writer: self)
        try value.encode(to: encoder)
        try encoder.finish()
    }

    /// An order travels in most events and state records of its life, unchanged: its bytes
    /// are remembered and reused while the order is equal to the one they were written for.
    private func encodeOrder(_ order: Order) throws {
        if let known = OrderEncodings.shared.bytes(for: order) {
            bytes += known
            return
        }
        let start = bytes.count
        try order.writeJSON(to: self)
        OrderEncodings.shared.remember(order, bytes: Array(bytes[start...]))
    }

    package func writeRaw(_ text: String) { bytes += text.utf8 }

    package func writeBool(_ value: Bool) { bytes += value ? Self.trueBytes : Self.falseBytes }

    package func writeDate(_ date: Date) { writeString(Timestamp.format(date)) }

    /// A `[String: String]` as Foundation's sorted-keys encoder writes it: keys in byte order.
    package func writeStringMap(_ map: [String: String]) {
        bytes.append(UInt8(ascii: "{"))
        for (index, key) in map.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }).enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            writeString(key)
            bytes.append(UInt8(ascii: ":"))
            writeString(map[key]!)
        }
        bytes.append(UInt8(ascii: "}"))
    }

    private static let trueBytes = Array("true".utf8)
    private static let falseBytes = Array("false".utf8)

    package func writeInteger<I: BinaryInteger>(_ value: I) { bytes += String(value).utf8 }

    private static let hex = Array("0123456789abcdef".utf8)

    /// A JSON string, escaped as Foundation escapes it (slashes left alone). Most strings
    /// need no escaping and are copied in one go.
    package func writeString(_ text: String) {
        var text = text
        text.withUTF8 { utf8 in
            let needsEscaping = utf8.contains { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }
            bytes.append(UInt8(ascii: "\""))
            if needsEscaping {
                bytes += Self.escaped(utf8)
            } else {
                bytes.append(contentsOf: utf8)
            }
            bytes.append(UInt8(ascii: "\""))
        }
    }

    private static func escaped(_ utf8: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(utf8.count + 8)
        for byte in utf8 {
            switch byte {
            case UInt8(ascii: "\""): out += [UInt8(ascii: "\\"), UInt8(ascii: "\"")]
            case UInt8(ascii: "\\"): out += [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
            case 0x0A: out += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
            case 0x0D: out += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
            case 0x09: out += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
            case 0x08: out += [UInt8(ascii: "\\"), UInt8(ascii: "b")]
            case 0x0C: out += [UInt8(ascii: "\\"), UInt8(ascii: "f")]
            case 0x00..<0x20:
                out += [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                        hex[Int(byte >> 4)], hex[Int(byte & 0xF)]]
            default: out.append(byte)
            }
        }
        return out
    }
}

/// The `Encoder` handed to one value's `encode(to:)`: it hands out one container and
/// closes it (`finish`) when the value is done.
final class ValueEncoder: Encoder {
    let writer: JSONByteWriter
    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    enum State {
        case none
        case keyed(KeyedState)
        case unkeyed(UnkeyedState)
        case single
    }
    var state = State.none

    init(writer: JSONByteWriter) { self.writer = writer }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        let keyed: KeyedState
        if case .keyed(let existing) = state {
            keyed = existing
        } else {
            keyed = KeyedState(writer: writer)
            if case .none = state { keyed.open() } else { keyed.invalid = true }
            state = .keyed(keyed)
        }
        return KeyedEncodingContainer(KeyedContainer<Key>(state: keyed))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        let unkeyed: UnkeyedState
        if case .unkeyed(let existing) = state {
            unkeyed = existing
        } else {
            unkeyed = UnkeyedState(writer: writer)
            if case .none = state { unkeyed.open() } else { unkeyed.invalid = true }
            state = .unkeyed(unkeyed)
        }
        return UnkeyedContainer(state: unkeyed)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        if case .none = state { state = .single }
        return SingleContainer(encoder: self)
    }

    /// Closes the container the value used (an object with no container is `{}`, as
    /// Foundation writes it).
    func finish() throws {
        switch state {
        case .none: writer.bytes += [UInt8(ascii: "{"), UInt8(ascii: "}")]
        case .keyed(let keyed): try keyed.close()
        case .unkeyed(let unkeyed): try unkeyed.close()
        case .single: break
        }
    }
}

/// An object being written: members in the order they come, sorted by key at the end.
final class KeyedState {
    let writer: JSONByteWriter
    var invalid = false
    private var start = 0
    /// Each member: its key and where its `"key":value` begins in the buffer.
    private var members: [(key: String, offset: Int)] = []
    private var sorted = true

    init(writer: JSONByteWriter) { self.writer = writer }

    func open() {
        writer.bytes.append(UInt8(ascii: "{"))
        start = writer.bytes.count
    }

    func beginMember(_ key: String) throws {
        guard !invalid else { throw CompactJSONEncoder.Unsupported() }
        if let last = members.last {
            writer.bytes.append(UInt8(ascii: ","))
            if key.utf8.lexicographicallyPrecedes(last.key.utf8) { sorted = false }
            // A repeated key: Foundation keeps the last; leave such values to it.
            if key == last.key || !sorted && members.contains(where: { $0.key == key }) {
                throw CompactJSONEncoder.Unsupported()
            }
        }
        members.append((key, writer.bytes.count))
        writer.writeString(key)
        writer.bytes.append(UInt8(ascii: ":"))
    }

    func close() throws {
        guard !invalid else { throw CompactJSONEncoder.Unsupported() }
        if !sorted {
            // Rewrite the members in key order (byte order, as Foundation sorts ASCII keys).
            let end = writer.bytes.count
            var ranges: [(key: String, range: Range<Int>)] = []
            for (index, member) in members.enumerated() {
                let memberEnd = index + 1 < members.count ? members[index + 1].offset - 1 : end
                ranges.append((member.key, member.offset..<memberEnd))
            }
            ranges.sort { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
            let region = Array(writer.bytes[start..<end])
            writer.bytes.removeSubrange(start..<end)
            for (index, entry) in ranges.enumerated() {
                if index > 0 { writer.bytes.append(UInt8(ascii: ",")) }
                writer.bytes += region[(entry.range.lowerBound - start)..<(entry.range.upperBound - start)]
            }
        }
        writer.bytes.append(UInt8(ascii: "}"))
    }
}

/// An array being written.
final class UnkeyedState {
    let writer: JSONByteWriter
    var invalid = false
    var count = 0

    init(writer: JSONByteWriter) { self.writer = writer }

    func open() { writer.bytes.append(UInt8(ascii: "[")) }

    func beginElement() throws {
        guard !invalid else { throw CompactJSONEncoder.Unsupported() }
        if count > 0 { writer.bytes.append(UInt8(ascii: ",")) }
        count += 1
    }

    func close() throws {
        guard !invalid else { throw CompactJSONEncoder.Unsupported() }
        writer.bytes.append(UInt8(ascii: "]"))
    }
}

struct KeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let state: KeyedState
    var codingPath: [any CodingKey] { [] }

    mutating func encodeNil(forKey key: Key) throws {
        try state.beginMember(key.stringValue)
        state.writer.bytes += Array("null".utf8)
    }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        try state.beginMember(key.stringValue)
        try state.writer.encode(value)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        state.invalid = true
        return KeyedEncodingContainer(KeyedContainer<NestedKey>(state: state))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        state.invalid = true
        let unkeyed = UnkeyedState(writer: state.writer)
        unkeyed.invalid = true
        return UnkeyedContainer(state: unkeyed)
    }

    mutating func superEncoder() -> any Encoder {
        state.invalid = true
        return ValueEncoder(writer: JSONByteWriter())
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder { superEncoder() }
}

struct UnkeyedContainer: UnkeyedEncodingContainer {
    let state: UnkeyedState
    var codingPath: [any CodingKey] { [] }
    var count: Int { state.count }

    mutating func encodeNil() throws {
        try state.beginElement()
        state.writer.bytes += Array("null".utf8)
    }

    mutating func encode<T: Encodable>(_ value: T) throws {
        try state.beginElement()
        try state.writer.encode(value)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        state.invalid = true
        let keyed = KeyedState(writer: state.writer)
        keyed.invalid = true
        return KeyedEncodingContainer(KeyedContainer<NestedKey>(state: keyed))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        state.invalid = true
        return UnkeyedContainer(state: state)
    }

    mutating func superEncoder() -> any Encoder {
        state.invalid = true
        return ValueEncoder(writer: JSONByteWriter())
    }
}

struct SingleContainer: SingleValueEncodingContainer {
    let encoder: ValueEncoder
    var codingPath: [any CodingKey] { [] }

    mutating func encodeNil() throws { encoder.writer.bytes += Array("null".utf8) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        guard case .single = encoder.state else { throw CompactJSONEncoder.Unsupported() }
        try encoder.writer.encode(value)
    }
}

extension OrderFlowJSON {
    /// Encodes `value` exactly as `OrderFlowJSON.encoder` would, faster: through
    /// `CompactJSONEncoder`, or Foundation's encoder for a shape it does not cover.
    public static func encode<T: Encodable>(_ value: T) throws -> Data {
        if let bytes = try? CompactJSONEncoder().encode(value) { return Data(bytes) }
        return try encoder.encode(value)
    }
}

/// The bytes of recently encoded orders, by order id, with the order they belong to (a
/// lookup only hits when the order is still equal to it). Bounded: past `capacity`, half
/// are dropped.
final class OrderEncodings: Sendable {
    static let shared = OrderEncodings()

    private struct Entry: Sendable {
        var order: Order
        var bytes: [UInt8]
    }

    private let entries = Mutex<[OrderID: Entry]>([:])
    let capacity = 4096

    func bytes(for order: Order) -> [UInt8]? {
        entries.withLock { entries in
            guard let entry = entries[order.id], entry.order == order else { return nil }
            return entry.bytes
        }
    }

    func remember(_ order: Order, bytes: [UInt8]) {
        entries.withLock { entries in
            if entries.count >= capacity {
                for key in Array(entries.keys.prefix(capacity / 2)) { entries[key] = nil }
            }
            entries[order.id] = Entry(order: order, bytes: bytes)
        }
    }
}
