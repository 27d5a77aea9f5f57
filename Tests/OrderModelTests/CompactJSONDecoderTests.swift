import Foundation
@testable import OrderModel
import Testing
import DemoKit

/// `OrderFlowJSON.decode` (the compact decoder) gives exactly the results of Foundation's
/// configured decoder: whenever the compact decoder succeeds, Foundation succeeds with the
/// same value; whatever it is unsure of (or fails on) is decoded by Foundation.
@Suite("Compact JSON decoder gives Foundation's results")
struct CompactJSONDecoderTests {
    static let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../docs/contract/examples").standardizedFileURL
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func files(in directory: URL) throws -> [(name: String, data: Data)] {
        try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".json") }.sorted()
            .map { ($0, try Data(contentsOf: directory.appendingPathComponent($0))) }
    }

    /// What one decoder made of some bytes: the value re-encoded, or the failure.
    enum Outcome: Equatable {
        case value(String)
        case failure(String)
        case unsupported

        var succeeded: Bool { if case .value = self { true } else { false } }
    }

    static func encoded<T: Encodable>(_ value: T) -> String {
        (try? OrderFlowJSON.encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "<not encodable>"
    }

    static func foundation<T: Codable>(_ type: T.Type, _ data: Data) -> Outcome {
        do { return .value(encoded(try OrderFlowJSON.decoder.decode(T.self, from: data))) } catch { return .failure("\(error)") }
    }

    static func compact<T: Codable>(_ type: T.Type, _ data: Data) -> Outcome {
        do { return .value(encoded(try CompactJSONDecoder().decode(T.self, from: data))) }
        catch is CompactJSONDecoder.Unsupported { return .unsupported }
        catch { return .failure(error is DecodingError ? "DecodingError" : "\(error)") }
    }

    static func entryPoint<T: Codable>(_ type: T.Type, _ data: Data) -> Outcome {
        do { return .value(encoded(try OrderFlowJSON.decode(T.self, from: data))) } catch { return .failure("\(error)") }
    }

    /// Statistics of a run of comparisons, to show the compact path did real work.
    final class Tally: @unchecked Sendable {
        var compact = 0, unsupported = 0, failed = 0
    }

    /// The compact decoder may only succeed with Foundation's value; the public entry point
    /// must give Foundation's outcome (value or error) exactly. A DecodingError from the
    /// compact decoder must be one Foundation throws too (the `try?` probes of JSONValue and
    /// OrderSubmission depend on it).
    static func expectAgreement<T: Codable>(_ type: T.Type, _ data: Data, _ comment: String, tally: Tally? = nil) {
        let reference = foundation(type, data)
        let fast = compact(type, data)
        switch fast {
        case .value:
            tally?.compact += 1
            #expect(fast == reference, "\(T.self) \(comment): compact \(fast) vs Foundation \(reference)")
        case .unsupported:
            tally?.unsupported += 1
        case .failure(let reason):
            tally?.failed += 1
            if reason == "DecodingError" {
                #expect(!reference.succeeded, "\(T.self) \(comment): compact threw a DecodingError, Foundation decoded \(reference)")
            }
        }
        let publicOutcome = entryPoint(type, data)
        if case .failure = publicOutcome, case .failure = reference, publicOutcome != reference,
           (0..<10).map({ _ in foundation(type, data) }).contains(where: { $0 == publicOutcome || $0 != reference }) {
            // Foundation's own error differs from run to run here (a dictionary's members are
            // visited in hash order, so another member may be the first bad one): the entry
            // point can only be expected to fail too, with Foundation's error.
            return
        }
        #expect(publicOutcome == reference, "\(T.self) \(comment): OrderFlowJSON.decode \(publicOutcome) vs Foundation \(reference)")
    }

    /// `decodeForProcessing` (compact) against the careful slow path (Foundation).
    static func expectProcessingAgreement(_ data: Data, _ comment: String) {
        let slow = Result { () throws(EventDecodingError) in try EventRegistry.standard.decode(data) }
        let fast = Result { () throws(EventDecodingError) in try EventRegistry.standard.decodeForProcessing(data) }
        switch (slow, fast) {
        case (.success(let slow), .success(let fast)):
            #expect(InboundEnvelope(slow.envelope) == fast.0, "\(comment)")
            #expect(payloadBytes(slow.payload) == payloadBytes(fast.1), "\(comment)")
        case (.failure(let slow), .failure(let fast)):
            #expect(slow == fast, "\(comment)")
        case (.failure(let slow), .success):
            // The fast path may read what the careful one refuses only where Foundation's
            // typed decode does so too: check that against Foundation directly.
            #expect(foundationProcessing(data) != nil, "\(comment): fast path succeeded, slow failed with \(slow)")
        case (.success, .failure(let fast)):
            Issue.record("\(comment): slow path succeeded, fast failed with \(fast)")
        }
    }

    static func payloadBytes(_ payload: any EventPayload) -> String { encoded(payload) }

    /// The fast path of `decodeForProcessing` with Foundation's decoder only (as it was).
    static func foundationProcessing(_ data: Data) -> String? {
        guard let head = try? OrderFlowJSON.decoder.decode(EnvelopeHead.self, from: data) else { return nil }
        func typed<P: EventPayload>(_ type: P.Type) -> String? {
            (try? OrderFlowJSON.decoder.decode(TypedEnvelope<P>.self, from: data)).map { encoded($0.data) }
        }
        for payload in knownPayloads where payload.eventType == head.type {
            return typed(payload)
        }
        return nil
    }

    /// The payload types of the contract examples (found by decoding them).
    static let knownPayloads: [any EventPayload.Type] = {
        var types: [String: any EventPayload.Type] = [:]
        for file in ((try? files(in: examples)) ?? []) + ((try? files(in: fixtures)) ?? []) {
            if let decoded = try? EventRegistry.standard.decode(file.data) {
                types[decoded.envelope.type] = type(of: decoded.payload)
            }
        }
        return Array(types.values)
    }()

    /// Every comparison that applies to some bytes.
    static func expectAllAgree(_ data: Data, _ comment: String, tally: Tally? = nil) {
        expectAgreement(JSONValue.self, data, comment, tally: tally)
        expectAgreement(EventEnvelope.self, data, comment, tally: tally)
        expectAgreement(OrderSubmission.self, data, comment, tally: tally)
        expectAgreement([String: String].self, data, comment, tally: tally)
        for payload in knownPayloads { expectTypedAgreement(payload, data, comment, tally: tally) }
        expectProcessingAgreement(data, comment)
        let read = Result { () throws(OrderSubmission.UnreadableError) in try OrderSubmission.read(data) }
        if case .success(let submission) = read {
            #expect(.value(encoded(submission)) == foundation(OrderSubmission.self, data), "read \(comment)")
        }
    }

    static func expectTypedAgreement<P: EventPayload>(_ type: P.Type, _ data: Data, _ comment: String, tally: Tally?) {
        expectAgreement(TypedEnvelope<P>.self, data, "\(P.eventType) \(comment)", tally: tally)
    }

    @Test("every contract example and golden fixture: as a JSON tree, an envelope, a submission, for processing")
    func examplesAndFixtures() throws {
        let files = try Self.files(in: Self.examples) + Self.files(in: Self.fixtures)
        #expect(files.count >= 20)
        #expect(Self.knownPayloads.count >= 5)
        let tally = Tally()
        var envelopes = 0
        for file in files {
            Self.expectAllAgree(file.data, file.name, tally: tally)
            if (try? EventRegistry.standard.decode(file.data)) != nil {
                envelopes += 1
                // Normal envelopes are read by the compact decoder itself, not the fallback.
                #expect(Self.compact(EventEnvelope.self, file.data).succeeded, "\(file.name)")
                #expect(Self.compact(JSONValue.self, file.data).succeeded, "\(file.name)")
            }
            if (try? OrderSubmission.read(file.data)) != nil {
                #expect(Self.compact(OrderSubmission.self, file.data).succeeded, "\(file.name)")
            }
        }
        #expect(envelopes >= 5)
        #expect(tally.compact > tally.unsupported)
    }

    @Test("decodeForProcessing takes the compact path for a normal envelope")
    func compactPathTaken() throws {
        let data = try Data(contentsOf: Self.fixtures.appendingPathComponent("payment.received.v1.json"))
        let head = try CompactJSONDecoder().decode(EnvelopeHead.self, from: data)
        #expect(head.type == "payment.received")
        let before = CompactJSONDecoder.compactDecodes.load(ordering: .relaxed)
        _ = try EventRegistry.standard.decodeForProcessing(data)
        let after = CompactJSONDecoder.compactDecodes.load(ordering: .relaxed)
        #expect(after - before >= 1, "the typed envelope was read by the compact decoder (from the parse its head was read from)")
    }

    @Test("an order with unicode and escapes, encoded then decoded")
    func order() throws {
        let order = CompactJSONEncoderTests.order(quantity: 3)
        let data = try OrderFlowJSON.encode(order)
        let decoded = try CompactJSONDecoder().decode(Order.self, from: data)
        #expect(decoded == order)
        #expect(decoded == (try OrderFlowJSON.decoder.decode(Order.self, from: data)))
        Self.expectAgreement(Order.self, data, "order")
        Self.expectAgreement([Order].self, try OrderFlowJSON.encode([order, order]), "orders")
        Self.expectAgreement(JSONValue.self, data, "order as tree")
        // Escapes Foundation's encoder does not write, and \u escapes with surrogate pairs.
        let escaped = Data(#"{"a":"\u00e9\u4e2d\ud83d\udce6\/\b\f\n\r\t\"\\\u0000","b":"x"}"#.utf8)
        Self.expectAgreement([String: String].self, escaped, "escapes")
        #expect(Self.compact([String: String].self, escaped).succeeded)
        #expect(try CompactJSONDecoder().decode([String: String].self, from: escaped)["a"] == "é中📦/\u{8}\u{c}\n\r\t\"\\\u{0}")
    }

    @Test("tricky submissions: numbers, strings, booleans, nulls, missing and extra fields, versions")
    func trickySubmissions() throws {
        let quantities = ["2.5", #""3""#, "1e3", "1E+2", "12345678901234567890", "-0", "0", "0.0", "-1", "3", "3.0", "true", "null",
                          "[]", "{}", "123456789012345678", "1234567890123456789", "0.000000000000000001", "-12.50", "00"]
        let versions = ["1", "1.0", #""1""#, "null", "2", "-1", "1e0", "true", "99999999999999999999"]
        var texts: [String] = []
        for quantity in quantities {
            texts.append(#"{"schemaVersion":1,"channel":"web","externalOrderId":"E-1","lines":[{"sku":"A","quantity":\#(quantity),"unitPrice":"1.00"}]}"#)
            texts.append(#"{"schemaVersion":1,"channel":"web","externalOrderId":"E-1","lines":[{"sku":"A","quantity":1,"unitPrice":\#(quantity)}]}"#)
        }
        for version in versions {
            texts.append(#"{"schemaVersion":\#(version),"channel":"web","externalOrderId":"E-1"}"#)
        }
        texts += [
            #"{"channel":"web","externalOrderId":"E-1"}"#,
            #"{"schemaVersion":1}"#,
            #"{"schemaVersion":1,"channel":"web","externalOrderId":"E-1","extra":{"deep":[1,2,{"x":null}]},"lines":null}"#,
            #"{"schemaVersion":1,"channel":7,"externalOrderId":true,"shipTo":{"name":1,"city":"X"},"lines":[1,"a",null,{}]}"#,
            #"{"schemaVersion":1,"channel":"web","externalOrderId":"E-1","shipTo":"nowhere","lines":{}}"#,
            #"{"schemaVersion":1,"channel":"web","externalOrderId":"E-1","channel":"dup"}"#,
            #"[1,2,3]"#, #""text""#, "12", "null", "true", "", " ", "{", #"{"a":1,}"#, "[1,]", #"{"a" 1}"#,
        ]
        for text in texts {
            Self.expectAllAgree(Data(text.utf8), text)
        }
        // The usual shape is read by the compact decoder.
        #expect(Self.compact(OrderSubmission.self, Data(#"{"schemaVersion":1,"channel":"web","externalOrderId":"E-1","lines":[{"sku":"A","quantity":3,"unitPrice":"1.00"}]}"#.utf8)).succeeded)
    }


    static let junk: [[UInt8]] = [
        ",", "}", "]", "{", "[", "\"", "\\", ":", "0", "-", "1e3", " ", "\n", "null", "true", #"{"a":1}"#, #"\u00e9"#,
        #"\ud800"#, #"\udc00x"#, #"\ud83d\udce6"#, "2.5", "-0", "12345678901234567890", #""x""#, "\t", "/", "\u{7}",
    ].map { Array($0.utf8) } + [[0xFF], [0xC3], [0x80], [0xC0, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82], [0xEF, 0xBB, 0xBF], [0x00]]

    static let numberReplacements = ["2.5", "1e3", "-0", "0", "12345678901234567890", "1.0", "3", "-7", "0.10", "true", #""5""#, "null"]

    /// One random variant of `bytes`.
    static func mutate(_ bytes: [UInt8], _ rng: inout SplitMix64) -> [UInt8] {
        var bytes = bytes
        guard !bytes.isEmpty else { return bytes }
        switch Int.random(in: 0..<9, using: &rng) {
        case 0:   // truncate
            bytes.removeLast(Int.random(in: 1...bytes.count, using: &rng))
        case 1:   // flip a byte
            let index = Int.random(in: 0..<bytes.count, using: &rng)
            bytes[index] = UInt8.random(in: 0...255, using: &rng)
        case 2:   // flip a bit
            let index = Int.random(in: 0..<bytes.count, using: &rng)
            bytes[index] ^= 1 << UInt8.random(in: 0...7, using: &rng)
        case 3:   // insert junk
            bytes.insert(contentsOf: junk.randomElement(using: &rng)!, at: Int.random(in: 0...bytes.count, using: &rng))
        case 4:   // duplicate a key: repeat one member right after the opening brace of its object
            let text = bytes
            var keyStarts: [Int] = []
            for index in 1..<text.count where text[index - 1] == UInt8(ascii: "\"") && index >= 2 && (text[index - 2] == UInt8(ascii: "{") || text[index - 2] == UInt8(ascii: ",") || text[index - 2] == UInt8(ascii: " ") || text[index - 2] == UInt8(ascii: "\n")) {
                keyStarts.append(index - 1)
            }
            guard let start = keyStarts.randomElement(using: &rng) else { break }
            var end = start + 1
            while end < text.count, text[end] != UInt8(ascii: "\"") { end += 1 }
            guard end + 1 < text.count, text[(end + 1)...].first(where: { $0 != 0x20 }) == UInt8(ascii: ":") else { break }
            let key = Array(text[start...end])
            let value = [Array(#""dup""#.utf8), Array("1".utf8), Array("null".utf8), Array("{}".utf8)].randomElement(using: &rng)!
            // Insert `,"key":value` before the closing of the enclosing object: simplest is right after the key's value's start.
            bytes.insert(contentsOf: key + [UInt8(ascii: ":")] + value + [UInt8(ascii: ",")], at: start)
        case 5:   // deep nesting around the whole value or one member
            let depth = Int.random(in: 55...75, using: &rng)
            if Bool.random(using: &rng) {
                bytes = Array(repeating: UInt8(ascii: "["), count: depth) + bytes + Array(repeating: UInt8(ascii: "]"), count: depth)
            } else if let brace = bytes.firstIndex(of: UInt8(ascii: "{")) {
                let nest = Array(#""nest":"#.utf8) + Array(repeating: UInt8(ascii: "["), count: depth) + Array("1".utf8)
                    + Array(repeating: UInt8(ascii: "]"), count: depth) + [UInt8(ascii: ",")]
                bytes.insert(contentsOf: nest, at: brace + 1)
            }
        case 6:   // invalid UTF-8 inside a string
            let quotes = bytes.indices.filter { bytes[$0] == UInt8(ascii: "\"") }
            guard let quote = quotes.randomElement(using: &rng) else { break }
            let bad: [[UInt8]] = [[0xFF], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xE2, 0x82], [0xF8, 0x88, 0x80, 0x80, 0x80], [0xC3, 0xA9]]
            bytes.insert(contentsOf: bad.randomElement(using: &rng)!, at: quote + 1)
        case 7:   // replace a number by another number or a non-number
            let digits = bytes.indices.filter { bytes[$0] >= UInt8(ascii: "0") && bytes[$0] <= UInt8(ascii: "9") && $0 > 0 && (bytes[$0 - 1] == UInt8(ascii: ":") || bytes[$0 - 1] == UInt8(ascii: " ") || bytes[$0 - 1] == UInt8(ascii: "[")) }
            guard let start = digits.randomElement(using: &rng) else { break }
            var end = start
            while end < bytes.count, "0123456789.eE+-".utf8.contains(bytes[end]) { end += 1 }
            bytes.replaceSubrange(start..<end, with: Array(numberReplacements.randomElement(using: &rng)!.utf8))
        default:   // replace a string value by a number / bool / null / object
            let colons = bytes.indices.filter { bytes[$0] == UInt8(ascii: ":") }
            guard let colon = colons.randomElement(using: &rng) else { break }
            var start = colon + 1
            while start < bytes.count, bytes[start] == 0x20 { start += 1 }
            guard start < bytes.count, bytes[start] == UInt8(ascii: "\"") else { break }
            var end = start + 1
            while end < bytes.count, bytes[end] != UInt8(ascii: "\"") { end += bytes[end] == UInt8(ascii: "\\") ? 2 : 1 }
            guard end < bytes.count else { break }
            let replacement = ["12", "true", "null", "{}", "[]", "2.5", #""""#, #""2026-13-01T00:00:00Z""#, #""\u00e9""#].randomElement(using: &rng)!
            bytes.replaceSubrange(start...end, with: Array(replacement.utf8))
        }
        if Int.random(in: 0..<4, using: &rng) == 0 { return mutate(bytes, &rng) }
        return bytes
    }

    @Test("randomly mutated examples: both decoders agree on success, failure and value")
    func mutatedExamples() throws {
        let files = try Self.files(in: Self.examples) + Self.files(in: Self.fixtures)
        var rng = SplitMix64(seed: 20261201)
        let tally = Tally()
        let perFile = (2400 + files.count - 1) / files.count
        var variants = 0
        for file in files {
            for round in 0..<perFile {
                let variant = Self.mutate(Array(file.data), &rng)
                Self.expectAllAgree(Data(variant), "\(file.name) variant \(round): \(String(decoding: variant.prefix(400), as: UTF8.self))", tally: tally)
                variants += 1
            }
        }
        #expect(variants >= 2000)
        // The compact decoder did decide a good share itself.
        #expect(tally.compact >= 1000, "compact \(tally.compact), unsupported \(tally.unsupported), failed \(tally.failed)")
        print("mutated: \(variants) variants; compact \(tally.compact), unsupported \(tally.unsupported), failed \(tally.failed)")
    }

    @Test("unsupported inputs and types fall back even when init(from:) swallows the error")
    func fallbacks() throws {
        struct Tolerant: Codable, Equatable {
            var number: Decimal?
            var double: Double?
            var count: Int?
            init(from decoder: any Decoder) throws {
                let c = try decoder.container(keyedBy: CodingKeys.self)
                number = try? c.decodeIfPresent(Decimal.self, forKey: .number)
                double = try? c.decodeIfPresent(Double.self, forKey: .double)
                count = try? c.decodeIfPresent(Int.self, forKey: .count)
            }
        }
        for text in [#"{"number":1e3}"#, #"{"double":1.5}"#, #"{"count":1.0}"#, #"{"count":12345678901234567890}"#,
                     #"{"number":1234567890123456789}"#, #"{"number":-0}"#] {
            let data = Data(text.utf8)
            #expect(Self.compact(Tolerant.self, data) == .unsupported, "\(text)")
            #expect(try OrderFlowJSON.decode(Tolerant.self, from: data) == OrderFlowJSON.decoder.decode(Tolerant.self, from: data), "\(text)")
        }
        for text in [#"{"a":1,"a":2}"#, "[" + String(repeating: "[", count: 70) + String(repeating: "]", count: 70) + "]", #""\ud800""#] {
            Self.expectAgreement(JSONValue.self, Data(text.utf8), text)
            #expect(!Self.compact(JSONValue.self, Data(text.utf8)).succeeded, "\(text)")
        }
        Self.expectAgreement(JSONValue.self, Data([0x22, 0xFF, 0x22]), "invalid UTF-8")
        // Dates: the strategy's parse; a bad date is an error, as with Foundation.
        struct Stamp: Codable { var time: Date }
        for text in [#"{"time":"2026-11-23T09:15:02.120Z"}"#, #"{"time":"2026-11-23T09:15:02+08:00"}"#, #"{"time":"yesterday"}"#,
                     #"{"time":12}"#, #"{"time":null}"#, #"{}"#] {
            Self.expectAgreement(Stamp.self, Data(text.utf8), text)
        }
        // Arrays, dictionaries, nested containers, integers of every width.
        struct Widths: Codable { var a: Int8; var b: UInt8; var c: Int16; var d: UInt32; var e: Int64; var f: UInt64; var g: [Int32]; var h: [String: [UInt]] }
        for text in [#"{"a":-128,"b":255,"c":300,"d":4000000000,"e":-9000000000,"f":18000000000000000,"g":[1,-2],"h":{"x":[1],"y":[]}}"#,
                     #"{"a":128,"b":0,"c":0,"d":0,"e":0,"f":0,"g":[],"h":{}}"#, #"{"a":0,"b":-1,"c":0,"d":0,"e":0,"f":0,"g":[],"h":{}}"#,
                     #"{"a":0,"b":0,"c":0,"d":0,"e":0,"f":0,"g":[null],"h":{}}"#] {
            Self.expectAgreement(Widths.self, Data(text.utf8), text)
        }
    }
}
