import Foundation
import Synchronization

/// A JSON decoder that gives the same results as `OrderFlowJSON.decoder` for the shapes
/// OrderFlow's types read, faster: the bytes are parsed once into a flat array of nodes,
/// and the containers read straight from it, without Foundation's per-value boxing.
///
/// It is strict: anything it is not sure to read exactly as Foundation does (numbers with
/// exponents or more than 18 digits, integers from fractions, duplicate keys, escaped
/// keys, lone surrogates, invalid UTF-8, deep nesting, Double/Float/Data/URL, super
/// decoders …) sets the context's `unsupported` flag and throws. Because a type's own
/// `init(from:)` may swallow that error with `try?`, the flag is checked after decoding:
/// when it is set the result is discarded and `OrderFlowJSON.decode` decodes again with
/// Foundation. Any other failure (invalid JSON, a genuine type mismatch) is also decoded
/// again with Foundation, so errors are always Foundation's own.
struct CompactJSONDecoder {
    /// The input or the type asked for something this decoder does not do.
    struct Unsupported: Error {}

    /// Decodes `type` from `bytes`; throws `Unsupported` when the result could differ from
    /// Foundation's, or a `DecodingError` when the input does not fit `type`.
    func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        try decode(type, in: Self.parse(data))
    }

    /// Parses `data` into nodes once, for one or more `decode(_:in:)` calls.
    static func parse(_ data: Data) throws -> DecodingContext {
        try data.withUnsafeBytes { raw -> DecodingContext in
            let bytes = raw.bindMemory(to: UInt8.self)
            var parser = JSONNodeParser(bytes: bytes)
            let nodes = try parser.parseDocument()
            return DecodingContext(bytes: Array(bytes), nodes: nodes)
        }
    }

    /// Decodes `type` from an already parsed document (as `decode(_:from:)`).
    func decode<T: Decodable>(_ type: T.Type, in context: DecodingContext) throws -> T {
        context.unsupported = false
        let value: T
        do {
            value = try context.decode(T.self, at: 0)
        } catch {
            if context.unsupported { throw Unsupported() }
            throw error
        }
        if context.unsupported { throw Unsupported() }
        return value
    }

    /// Decodes completed by the compact path (not the fallback): lets tests (which run on
    /// the release build) prove the fast path is the one taken. One relaxed atomic add.
    static let compactDecodes = Atomic<Int>(0)
}

extension OrderFlowJSON {
    /// Decodes `type` from `data` exactly as `OrderFlowJSON.decoder` would, faster: through
    /// `CompactJSONDecoder`, or Foundation's decoder for anything it does not cover and for
    /// every failure (so the error thrown is Foundation's).
    public static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        if let value = try? CompactJSONDecoder().decode(type, from: data) {
            CompactJSONDecoder.compactDecodes.add(1, ordering: .relaxed)
            return value
        }
        return try decoder.decode(type, from: data)
    }
}

// MARK: - Parsed structure

/// One JSON value of the document. Containers are followed by their children (an
/// object's as key, value, key, value …); `end` is the index just past the subtree.
struct JSONNode {
    enum Kind: UInt8 { case null, bool, number, string, array, object }
    var kind: Kind
    /// bool: 1 for true. string: 1 when the content has escapes, 2 when it has non-ASCII
    /// characters. number: flags below.
    var flags: UInt8
    /// Byte range of the value (a string's content without its quotes).
    var start: Int32
    var length: Int32
    /// Containers: number of elements (members for objects).
    var count: Int32
    /// Index just past this node's subtree.
    var end: Int32

    static let numberHasFraction: UInt8 = 1
    static let numberHasExponent: UInt8 = 2
    static let numberNegative: UInt8 = 4
}

struct JSONNodeParser {
    struct Invalid: Error {}

    let bytes: UnsafeBufferPointer<UInt8>
    var position = 0
    var nodes: [JSONNode] = []
    static let maximumDepth = 64

    init(bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
        nodes.reserveCapacity(max(16, bytes.count / 8))
    }

    mutating func parseDocument() throws -> [JSONNode] {
        skipWhitespace()
        try parseValue(depth: 0)
        skipWhitespace()
        guard position == bytes.count else { throw Invalid() }
        return nodes
    }

    private mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x0A, 0x0D, 0x09: position += 1
            default: return
            }
        }
    }

    private mutating func expect(_ literal: StaticString) throws {
        let count = literal.utf8CodeUnitCount
        guard position + count <= bytes.count else { throw Invalid() }
        let pointer = literal.utf8Start
        for index in 0..<count where bytes[position + index] != pointer[index] { throw Invalid() }
        position += count
    }

    private mutating func parseValue(depth: Int) throws {
        guard depth <= Self.maximumDepth, position < bytes.count else { throw Invalid() }
        let start = position
        switch bytes[position] {
        case UInt8(ascii: "{"): try parseObject(depth: depth)
        case UInt8(ascii: "["): try parseArray(depth: depth)
        case UInt8(ascii: "\""): try parseString()
        case UInt8(ascii: "t"):
            try expect("true")
            append(.bool, flags: 1, start: start)
        case UInt8(ascii: "f"):
            try expect("false")
            append(.bool, flags: 0, start: start)
        case UInt8(ascii: "n"):
            try expect("null")
            append(.null, flags: 0, start: start)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try parseNumber()
        default: throw Invalid()
        }
    }

    private mutating func append(_ kind: JSONNode.Kind, flags: UInt8, start: Int) {
        nodes.append(JSONNode(kind: kind, flags: flags, start: Int32(start), length: Int32(position - start),
                              count: 0, end: Int32(nodes.count + 1)))
    }

    private func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    private mutating func parseNumber() throws {
        let start = position
        var flags: UInt8 = 0
        if bytes[position] == UInt8(ascii: "-") { flags |= JSONNode.numberNegative; position += 1 }
        guard position < bytes.count, isDigit(bytes[position]) else { throw Invalid() }
        if bytes[position] == UInt8(ascii: "0") {
            position += 1
            if position < bytes.count, isDigit(bytes[position]) { throw Invalid() }
        } else {
            while position < bytes.count, isDigit(bytes[position]) { position += 1 }
        }
        if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
            flags |= JSONNode.numberHasFraction
            position += 1
            guard position < bytes.count, isDigit(bytes[position]) else { throw Invalid() }
            while position < bytes.count, isDigit(bytes[position]) { position += 1 }
        }
        if position < bytes.count, bytes[position] == UInt8(ascii: "e") || bytes[position] == UInt8(ascii: "E") {
            flags |= JSONNode.numberHasExponent
            position += 1
            if position < bytes.count, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") { position += 1 }
            guard position < bytes.count, isDigit(bytes[position]) else { throw Invalid() }
            while position < bytes.count, isDigit(bytes[position]) { position += 1 }
        }
        if position < bytes.count {
            // A number must be followed by a delimiter.
            switch bytes[position] {
            case 0x20, 0x0A, 0x0D, 0x09, UInt8(ascii: ","), UInt8(ascii: "]"), UInt8(ascii: "}"): break
            default: throw Invalid()
            }
        }
        append(.number, flags: flags, start: start)
    }

    /// A string: content range without quotes; escapes are checked here (lone surrogates
    /// are refused), UTF-8 is validated.
    private mutating func parseString() throws {
        position += 1
        let start = position
        var escaped = false
        var nonASCII = false
        while true {
            guard position < bytes.count else { throw Invalid() }
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") { break }
            if byte < 0x20 { throw Invalid() }
            if byte >= 0x80 { nonASCII = true; position += 1; continue }
            if byte == UInt8(ascii: "\\") {
                escaped = true
                position += 1
                guard position < bytes.count else { throw Invalid() }
                switch bytes[position] {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                     UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    position += 1
                case UInt8(ascii: "u"):
                    position += 1
                    let unit = try hex4()
                    if unit >= 0xD800 && unit < 0xDC00 {
                        guard position + 1 < bytes.count, bytes[position] == UInt8(ascii: "\\"),
                              bytes[position + 1] == UInt8(ascii: "u") else { throw Invalid() }
                        position += 2
                        let low = try hex4()
                        guard low >= 0xDC00 && low < 0xE000 else { throw Invalid() }
                    } else if unit >= 0xDC00 && unit < 0xE000 {
                        throw Invalid()
                    }
                default:
                    throw Invalid()
                }
                continue
            }
            position += 1
        }
        let end = position
        position += 1
        if nonASCII, !Self.isValidUTF8(UnsafeBufferPointer(rebasing: bytes[start..<end])) { throw Invalid() }
        nodes.append(JSONNode(kind: .string, flags: (escaped ? 1 : 0) | (nonASCII ? 2 : 0), start: Int32(start), length: Int32(end - start),
                              count: 0, end: Int32(nodes.count + 1)))
    }

    private mutating func hex4() throws -> UInt32 {
        guard position + 4 <= bytes.count else { throw Invalid() }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[position]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw Invalid()
            }
            value = value << 4 | UInt32(digit)
            position += 1
        }
        return value
    }

    /// Strict UTF-8 (no overlong forms, no surrogates, nothing above U+10FFFF).
    static func isValidUTF8(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var index = 0
        let count = bytes.count
        while index < count {
            let lead = bytes[index]
            if lead < 0x80 { index += 1; continue }
            func continuation(_ offset: Int) -> Bool {
                index + offset < count && bytes[index + offset] & 0xC0 == 0x80
            }
            switch lead {
            case 0xC2...0xDF:
                guard continuation(1) else { return false }
                index += 2
            case 0xE0...0xEF:
                guard continuation(1), continuation(2) else { return false }
                let second = bytes[index + 1]
                if lead == 0xE0 && second < 0xA0 { return false }
                if lead == 0xED && second >= 0xA0 { return false }
                index += 3
            case 0xF0...0xF4:
                guard continuation(1), continuation(2), continuation(3) else { return false }
                let second = bytes[index + 1]
                if lead == 0xF0 && second < 0x90 { return false }
                if lead == 0xF4 && second >= 0x90 { return false }
                index += 4
            default:
                return false
            }
        }
        return true
    }

    private mutating func parseArray(depth: Int) throws {
        let start = position
        let nodeIndex = nodes.count
        nodes.append(JSONNode(kind: .array, flags: 0, start: Int32(start), length: 0, count: 0, end: 0))
        position += 1
        skipWhitespace()
        var count: Int32 = 0
        if position < bytes.count, bytes[position] == UInt8(ascii: "]") {
            position += 1
        } else {
            while true {
                try parseValue(depth: depth + 1)
                count += 1
                skipWhitespace()
                guard position < bytes.count else { throw Invalid() }
                if bytes[position] == UInt8(ascii: ",") { position += 1; skipWhitespace(); continue }
                if bytes[position] == UInt8(ascii: "]") { position += 1; break }
                throw Invalid()
            }
        }
        nodes[nodeIndex].count = count
        nodes[nodeIndex].length = Int32(position - start)
        nodes[nodeIndex].end = Int32(nodes.count)
    }

    private mutating func parseObject(depth: Int) throws {
        let start = position
        let nodeIndex = nodes.count
        nodes.append(JSONNode(kind: .object, flags: 0, start: Int32(start), length: 0, count: 0, end: 0))
        position += 1
        skipWhitespace()
        var count: Int32 = 0
        var keyNodes: [Int] = []
        if position < bytes.count, bytes[position] == UInt8(ascii: "}") {
            position += 1
        } else {
            while true {
                guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else { throw Invalid() }
                let keyIndex = nodes.count
                try parseString()
                // Keys with escapes or non-ASCII characters are left to Foundation: keys are
                // compared byte for byte here, Swift strings by canonical equivalence.
                guard nodes[keyIndex].flags == 0 else { throw Invalid() }
                keyNodes.append(keyIndex)
                skipWhitespace()
                guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else { throw Invalid() }
                position += 1
                skipWhitespace()
                try parseValue(depth: depth + 1)
                count += 1
                skipWhitespace()
                guard position < bytes.count else { throw Invalid() }
                if bytes[position] == UInt8(ascii: ",") { position += 1; skipWhitespace(); continue }
                if bytes[position] == UInt8(ascii: "}") { position += 1; break }
                throw Invalid()
            }
        }
        try checkUniqueKeys(keyNodes)
        nodes[nodeIndex].count = count
        nodes[nodeIndex].length = Int32(position - start)
        nodes[nodeIndex].end = Int32(nodes.count)
    }

    /// Duplicate keys: Foundation's handling is left to Foundation.
    private func checkUniqueKeys(_ keyNodes: [Int]) throws {
        func slice(_ index: Int) -> UnsafeBufferPointer<UInt8> {
            let node = nodes[index]
            return UnsafeBufferPointer(rebasing: bytes[Int(node.start)..<Int(node.start + node.length)])
        }
        if keyNodes.count <= 16 {
            for i in keyNodes.indices {
                let a = slice(keyNodes[i])
                for j in (i + 1)..<keyNodes.count where a.elementsEqual(slice(keyNodes[j])) { throw Invalid() }
            }
        } else {
            var seen = Set<String>()
            seen.reserveCapacity(keyNodes.count)
            for index in keyNodes where !seen.insert(String(decoding: slice(index), as: UTF8.self)).inserted {
                throw Invalid()
            }
        }
    }
}

// MARK: - Decoding

/// The parsed document and the flag shared by all containers of one decode.
final class DecodingContext {
    let bytes: [UInt8]
    let nodes: [JSONNode]
    /// Set whenever something is met whose result could differ from Foundation's.
    var unsupported = false

    init(bytes: [UInt8], nodes: [JSONNode]) {
        self.bytes = bytes
        self.nodes = nodes
    }

    func fail() -> CompactJSONDecoder.Unsupported {
        unsupported = true
        return CompactJSONDecoder.Unsupported()
    }

    // MARK: Errors as Foundation reports them (message text aside)

    // The messages are constant: these errors are thrown and caught often (JSONValue probes
    // with `try?`), and whatever reaches a caller is Foundation's own error, thrown again.

    func typeMismatch(_ type: Any.Type, at index: Int) -> DecodingError {
        DecodingError.typeMismatch(type, DecodingError.Context(codingPath: [], debugDescription: "Unexpected JSON value."))
    }

    func valueNotFound(_ type: Any.Type) -> DecodingError {
        DecodingError.valueNotFound(type, DecodingError.Context(codingPath: [], debugDescription: "Found null."))
    }

    func keyNotFound(_ key: any CodingKey) -> DecodingError {
        DecodingError.keyNotFound(key, DecodingError.Context(codingPath: [], debugDescription: "No such key."))
    }

    // MARK: Values

    func isNull(_ index: Int) -> Bool { nodes[index].kind == .null }

    func decode<T: Decodable>(_ type: T.Type, at index: Int) throws -> T {
        // Metatype comparisons, and bit casts where T is known to be the type: cheap in
        // generic code (as in the encoder).
        if T.self == String.self { return unsafeBitCast(try string(at: index), to: T.self) }
        if T.self == Int.self { return unsafeBitCast(try integer(Int.self, at: index), to: T.self) }
        if T.self == Bool.self { return unsafeBitCast(try bool(at: index), to: T.self) }
        if T.self == Date.self { return try date(at: index) as! T }
        if T.self == Decimal.self { return try decimal(at: index) as! T }
        if T.self == Int64.self { return try integer(Int64.self, at: index) as! T }
        if T.self == Int32.self { return try integer(Int32.self, at: index) as! T }
        if T.self == Int16.self { return try integer(Int16.self, at: index) as! T }
        if T.self == Int8.self { return try integer(Int8.self, at: index) as! T }
        if T.self == UInt.self { return try integer(UInt.self, at: index) as! T }
        if T.self == UInt64.self { return try integer(UInt64.self, at: index) as! T }
        if T.self == UInt32.self { return try integer(UInt32.self, at: index) as! T }
        if T.self == UInt16.self { return try integer(UInt16.self, at: index) as! T }
        if T.self == UInt8.self { return try integer(UInt8.self, at: index) as! T }
        if T.self == Double.self || T.self == Float.self || T.self == Data.self || T.self == URL.self
            || T.self == NSDecimalNumber.self {
            throw fail()
        }
        if let direct = T.self as? any DirectJSONDecodable.Type {
            return try direct.init(direct: JSONObjectReader(self, at: index)) as! T
        }
        return try T(from: NodeDecoder(context: self, index: index))
    }

    func string(at index: Int) throws -> String {
        let node = nodes[index]
        guard node.kind == .string else {
            if node.kind == .null { throw valueNotFound(String.self) }
            throw typeMismatch(String.self, at: index)
        }
        let start = Int(node.start), end = Int(node.start + node.length)
        return bytes.withUnsafeBufferPointer { buffer in
            let content = UnsafeBufferPointer(rebasing: buffer[start..<end])
            if node.flags & 1 == 0 { return String(decoding: content, as: UTF8.self) }
            return Self.unescape(content)
        }
    }

    /// The content of a string with escapes (checked by the parser).
    static func unescape(_ content: UnsafeBufferPointer<UInt8>) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(content.count)
        var index = 0
        func hex4(_ at: Int) -> UInt32 {
            var value: UInt32 = 0
            for offset in 0..<4 {
                let byte = content[at + offset]
                let digit: UInt8
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
                default: digit = byte - UInt8(ascii: "A") + 10
                }
                value = value << 4 | UInt32(digit)
            }
            return value
        }
        while index < content.count {
            let byte = content[index]
            guard byte == UInt8(ascii: "\\") else { out.append(byte); index += 1; continue }
            let kind = content[index + 1]
            index += 2
            switch kind {
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = hex4(index)
                index += 4
                if scalar >= 0xD800 && scalar < 0xDC00 {
                    let low = hex4(index + 2)
                    index += 6
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                }
                out.append(contentsOf: String(Character(Unicode.Scalar(scalar)!)).utf8)
            default: out.append(kind)   // " \ /
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    func bool(at index: Int) throws -> Bool {
        let node = nodes[index]
        guard node.kind == .bool else {
            if node.kind == .null { throw valueNotFound(Bool.self) }
            throw typeMismatch(Bool.self, at: index)
        }
        return node.flags == 1
    }

    func date(at index: Int) throws -> Date {
        // OrderFlowJSON.decoder's strategy: a string, through Timestamp.parse.
        let text = try string(at: index)
        guard let date = Timestamp.parse(text) else {
            throw DecodingError.dataCorrupted(DecodingError.Context(codingPath: [], debugDescription: "Not an RFC 3339 time."))
        }
        return date
    }

    /// The digits of a plain number (no exponent), at most 18 of them, or nil.
    private func digits(_ node: JSONNode) -> (negative: Bool, mantissa: UInt64, fractionDigits: Int)? {
        guard node.flags & JSONNode.numberHasExponent == 0 else { return nil }
        let start = Int(node.start), end = Int(node.start + node.length)
        return ExactDecimal.shortDigits(bytes[start..<end])
    }

    func decimal(at index: Int) throws -> Decimal {
        let node = nodes[index]
        guard node.kind == .number else {
            if node.kind == .null { throw valueNotFound(Decimal.self) }
            throw typeMismatch(Decimal.self, at: index)
        }
        guard let (negative, mantissa, fractionDigits) = digits(node) else { throw fail() }
        if mantissa == 0 {
            // Foundation reads `0` and `-0` as Decimal(0), but keeps the exponent of zeros
            // with a fraction (`0.00`) in its own way: those are left to it.
            guard node.flags & JSONNode.numberHasFraction == 0 else { throw fail() }
            return Decimal(0)
        }
        // Byte for byte the Decimal Foundation makes of the same digits (checked by tests).
        return ExactDecimal.decimal(negative: negative, mantissa: mantissa, fractionDigits: fractionDigits)
    }

    func integer<I: FixedWidthInteger>(_ type: I.Type, at index: Int) throws -> I {
        let node = nodes[index]
        guard node.kind == .number else {
            if node.kind == .null { throw valueNotFound(I.self) }
            throw typeMismatch(I.self, at: index)
        }
        guard node.flags & (JSONNode.numberHasFraction | JSONNode.numberHasExponent) == 0,
              let (negative, mantissa, _) = digits(node) else { throw fail() }
        if negative {
            guard mantissa != 0, I.isSigned, mantissa <= UInt64(Int64.max) else { throw fail() }
            let value = -Int64(mantissa)
            guard let result = I(exactly: value) else { throw fail() }
            return result
        }
        guard let result = I(exactly: mantissa) else { throw fail() }
        return result
    }

    /// The members of the object at `index`: key range and value index, in document order.
    func members(of index: Int) -> [(start: Int, length: Int, value: Int)] {
        let node = nodes[index]
        var result: [(start: Int, length: Int, value: Int)] = []
        result.reserveCapacity(Int(node.count))
        var child = index + 1
        for _ in 0..<node.count {
            let key = nodes[child]
            result.append((Int(key.start), Int(key.length), child + 1))
            child = Int(nodes[child + 1].end)
        }
        return result
    }

    func elements(of index: Int) -> [Int] {
        let node = nodes[index]
        var result: [Int] = []
        result.reserveCapacity(Int(node.count))
        var child = index + 1
        for _ in 0..<node.count {
            result.append(child)
            child = Int(nodes[child].end)
        }
        return result
    }

    func keyedContainer<Key: CodingKey>(_ keyType: Key.Type, at index: Int) throws -> KeyedDecodingContainer<Key> {
        let node = nodes[index]
        guard node.kind == .object else {
            if node.kind == .null { throw valueNotFound([String: Any].self) }
            throw typeMismatch([String: Any].self, at: index)
        }
        return KeyedDecodingContainer(NodeKeyedContainer<Key>(context: self, members: members(of: index)))
    }

    func unkeyedContainer(at index: Int) throws -> any UnkeyedDecodingContainer {
        let node = nodes[index]
        guard node.kind == .array else {
            if node.kind == .null { throw valueNotFound([Any].self) }
            throw typeMismatch([Any].self, at: index)
        }
        return NodeUnkeyedContainer(context: self, elements: elements(of: index))
    }
}

/// The decoder handed to one value's `init(from:)`; also its single-value container.
struct NodeDecoder: Decoder, SingleValueDecodingContainer {
    let context: DecodingContext
    let index: Int

    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        try context.keyedContainer(type, at: index)
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer { try context.unkeyedContainer(at: index) }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { self }

    func decodeNil() -> Bool { context.isNull(index) }

    func decode(_ type: Bool.Type) throws -> Bool { try context.bool(at: index) }
    func decode(_ type: String.Type) throws -> String { try context.string(at: index) }
    func decode(_ type: Double.Type) throws -> Double { throw context.fail() }
    func decode(_ type: Float.Type) throws -> Float { throw context.fail() }
    func decode(_ type: Int.Type) throws -> Int { try context.integer(Int.self, at: index) }
    func decode(_ type: Int8.Type) throws -> Int8 { try context.integer(Int8.self, at: index) }
    func decode(_ type: Int16.Type) throws -> Int16 { try context.integer(Int16.self, at: index) }
    func decode(_ type: Int32.Type) throws -> Int32 { try context.integer(Int32.self, at: index) }
    func decode(_ type: Int64.Type) throws -> Int64 { try context.integer(Int64.self, at: index) }
    func decode(_ type: UInt.Type) throws -> UInt { try context.integer(UInt.self, at: index) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try context.integer(UInt8.self, at: index) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try context.integer(UInt16.self, at: index) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try context.integer(UInt32.self, at: index) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try context.integer(UInt64.self, at: index) }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try context.decode(T.self, at: index) }
}

/// An object's members, looked up by key (linear scan; an index for large objects).
struct NodeKeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let context: DecodingContext
    let members: [(start: Int, length: Int, value: Int)]
    private let index: [String: Int]?

    init(context: DecodingContext, members: [(start: Int, length: Int, value: Int)]) {
        self.context = context
        self.members = members
        if members.count > 24 {
            var index: [String: Int] = [:]
            index.reserveCapacity(members.count)
            for member in members {
                index[String(decoding: context.bytes[member.start..<(member.start + member.length)], as: UTF8.self)] = member.value
            }
            self.index = index
        } else {
            self.index = nil
        }
    }

    var codingPath: [any CodingKey] { [] }

    var allKeys: [Key] {
        members.compactMap { Key(stringValue: String(decoding: context.bytes[$0.start..<($0.start + $0.length)], as: UTF8.self)) }
    }

    /// The node index of the value for `key`, or nil when the object has no such member.
    private func valueIndex(_ key: Key) -> Int? {
        if let index { return index[key.stringValue] }
        var name = key.stringValue
        return name.withUTF8 { name -> Int? in
            context.bytes.withUnsafeBufferPointer { bytes -> Int? in
                for member in members where member.length == name.count {
                    if UnsafeBufferPointer(rebasing: bytes[member.start..<(member.start + member.length)]).elementsEqual(name) {
                        return member.value
                    }
                }
                return nil
            }
        }
    }

    private func require(_ key: Key) throws -> Int {
        guard let value = valueIndex(key) else { throw context.keyNotFound(key) }
        return value
    }

    func contains(_ key: Key) -> Bool { valueIndex(key) != nil }

    func decodeNil(forKey key: Key) throws -> Bool { context.isNull(try require(key)) }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try context.bool(at: require(key)) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try context.string(at: require(key)) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { throw context.fail() }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { throw context.fail() }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try context.integer(Int.self, at: require(key)) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try context.integer(Int8.self, at: require(key)) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try context.integer(Int16.self, at: require(key)) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try context.integer(Int32.self, at: require(key)) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try context.integer(Int64.self, at: require(key)) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try context.integer(UInt.self, at: require(key)) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try context.integer(UInt8.self, at: require(key)) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try context.integer(UInt16.self, at: require(key)) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try context.integer(UInt32.self, at: require(key)) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try context.integer(UInt64.self, at: require(key)) }
    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try context.decode(T.self, at: require(key)) }

    /// A missing key or null is nil (as Foundation's decoder does).
    private func present(_ key: Key) -> Int? {
        guard let value = valueIndex(key), !context.isNull(value) else { return nil }
        return value
    }

    func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? { try present(key).map { try context.bool(at: $0) } }
    func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? { try present(key).map { try context.string(at: $0) } }
    func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? { try present(key).map { try context.integer(Int.self, at: $0) } }
    func decodeIfPresent(_ type: Double.Type, forKey key: Key) throws -> Double? { throw context.fail() }
    func decodeIfPresent(_ type: Float.Type, forKey key: Key) throws -> Float? { throw context.fail() }
    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        try present(key).map { try context.decode(T.self, at: $0) }
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try context.keyedContainer(type, at: require(key))
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try context.unkeyedContainer(at: require(key))
    }

    func superDecoder() throws -> any Decoder { throw context.fail() }
    func superDecoder(forKey key: Key) throws -> any Decoder { throw context.fail() }
}

/// An array's elements, read in order.
struct NodeUnkeyedContainer: UnkeyedDecodingContainer {
    let context: DecodingContext
    let elements: [Int]
    var currentIndex = 0

    init(context: DecodingContext, elements: [Int]) {
        self.context = context
        self.elements = elements
    }

    var codingPath: [any CodingKey] { [] }
    var count: Int? { elements.count }
    var isAtEnd: Bool { currentIndex >= elements.count }

    private mutating func next(_ type: Any.Type) throws -> Int {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(type, DecodingError.Context(codingPath: [], debugDescription: "Unkeyed container is at end."))
        }
        return elements[currentIndex]
    }

    mutating func decodeNil() throws -> Bool {
        let element = try next(Never.self)
        if context.isNull(element) { currentIndex += 1; return true }
        return false
    }

    /// Decodes the current element and moves on only when that succeeded (as Foundation).
    private mutating func read<T>(_ type: T.Type, _ body: (DecodingContext, Int) throws -> T) throws -> T {
        let element = try next(type)
        let value = try body(context, element)
        currentIndex += 1
        return value
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool { try read(type) { try $0.bool(at: $1) } }
    mutating func decode(_ type: String.Type) throws -> String { try read(type) { try $0.string(at: $1) } }
    mutating func decode(_ type: Double.Type) throws -> Double { throw context.fail() }
    mutating func decode(_ type: Float.Type) throws -> Float { throw context.fail() }
    mutating func decode(_ type: Int.Type) throws -> Int { try read(type) { try $0.integer(Int.self, at: $1) } }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try read(type) { try $0.integer(Int8.self, at: $1) } }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try read(type) { try $0.integer(Int16.self, at: $1) } }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try read(type) { try $0.integer(Int32.self, at: $1) } }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try read(type) { try $0.integer(Int64.self, at: $1) } }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try read(type) { try $0.integer(UInt.self, at: $1) } }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try read(type) { try $0.integer(UInt8.self, at: $1) } }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try read(type) { try $0.integer(UInt16.self, at: $1) } }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try read(type) { try $0.integer(UInt32.self, at: $1) } }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try read(type) { try $0.integer(UInt64.self, at: $1) } }
    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try read(type) { try $0.decode(T.self, at: $1) } }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        try read(KeyedDecodingContainer<NestedKey>.self) { try $0.keyedContainer(type, at: $1) }
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        try read((any UnkeyedDecodingContainer).self) { try $0.unkeyedContainer(at: $1) }
    }

    mutating func superDecoder() throws -> any Decoder { throw context.fail() }
}
