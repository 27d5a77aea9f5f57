import Foundation
@testable import OrderModel
import Testing

/// The hand-written decimal and timestamp paths give exactly what Foundation gives.
@Suite("Fast number and time formats agree with Foundation")
struct FastPathTests {
    /// Foundation's way, as ExactDecimal did it before the fast path (the oracle).
    static func foundationFormat(_ value: Decimal, scale: Int) -> String {
        let rounded = ExactDecimal.round(value, scale: scale)
        var text = NSDecimalNumber(decimal: rounded).description(withLocale: Locale(identifier: "en_US_POSIX"))
        if text == "-0" { text = "0" }
        guard scale > 0 else { return text }
        let parts = text.split(separator: ".", maxSplits: 1)
        var fraction = parts.count > 1 ? String(parts[1]) : ""
        if fraction.count < scale { fraction += String(repeating: "0", count: scale - fraction.count) }
        return String(parts[0]) + "." + fraction
    }

    static let samples: [String] = {
        var texts = ["0", "-0", "0.00", "1", "-1", "0.5", "-0.5", "0.005", "-0.005", "0.004", "0.015", "12.345", "-12.345",
                     "1180.00", "99999999999.999", "0.0000001", "123456789012345678", "1.10", "10", "100.000", "0.13",
                     "7.125", "-7.125", "2.675", "1000000", "0.1", "-0.09"]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            let whole = Int.random(in: -1_000_000...1_000_000, using: &generator)
            let fraction = Int.random(in: 0...99999, using: &generator)
            let digits = Int.random(in: 0...5, using: &generator)
            texts.append(digits == 0 ? "\(whole)" : "\(whole).\(String(String(fraction).prefix(digits)))")
        }
        return texts
    }()

    @Test("parse, format and plain match Foundation's results")
    func decimals() throws {
        #expect(ExactDecimal.layoutIsKnown, "the fast path is in use on this build")
        for text in Self.samples {
            let fast = try #require(ExactDecimal.parse(text), "\(text)")
            let slow = try #require(Decimal(string: text, locale: Locale(identifier: "en_US_POSIX")))
            #expect(fast == slow, "\(text)")
            #expect(fast.hashValue == slow.hashValue, "\(text)")
            for scale in [0, 2, 3] {
                #expect(ExactDecimal.format(fast, scale: scale) == Self.foundationFormat(slow, scale: scale), "\(text) at \(scale)")
            }
            #expect(ExactDecimal.plain(fast) == NSDecimalNumber(decimal: slow).description(withLocale: Locale(identifier: "en_US_POSIX")), "\(text)")
            let exact = ExactDecimal.round(slow, scale: 2) == slow
            #expect(ExactDecimal.formatIfExact(fast, scale: 2) == (exact ? Self.foundationFormat(slow, scale: 2) : nil), "\(text)")
            // Results of arithmetic, not only of parsing.
            let product = fast * Decimal(string: "1.13")!
            #expect(ExactDecimal.format(product, scale: 2) == Self.foundationFormat(product, scale: 2), "\(text) × 1.13")
        }
    }

    @Test("timestamps: written as Foundation writes them, read back to the same millisecond")
    func timestamps() throws {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            let millis = Int64.random(in: -2_000_000_000_000...4_000_000_000_000, using: &generator)
            let date = Date(timeIntervalSince1970: Double(millis) / 1000)
            let text = Timestamp.format(date)
            let (seconds, fraction) = millis.quotientAndRemainder(dividingBy: 1000)
            let (whole, ms) = fraction < 0 ? (seconds - 1, fraction + 1000) : (seconds, fraction)
            let expected = Date(timeIntervalSince1970: TimeInterval(whole)).formatted(Date.ISO8601FormatStyle(timeZone: .gmt)).dropLast()
                + "." + String(format: "%03d", ms) + "Z"
            #expect(text == expected)
            let parsed = try #require(Timestamp.parse(text))
            #expect(Int64((parsed.timeIntervalSince1970 * 1000).rounded()) == millis, "\(text)")
            let foundation = try Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text)
            #expect(abs(parsed.timeIntervalSince(foundation)) < 0.000_001, "\(text)")
        }
        #expect(Timestamp.parse("2026-11-23T09:15:02+08:00") == Timestamp.parse("2026-11-23T01:15:02Z"))
        #expect(Timestamp.parse("2026-11-23T09:15:02Z") != nil)
        #expect(Timestamp.parse("2026-11-23 09:15:02") == nil)
    }
}

@Suite("Event ids")
struct EventIDTests {
    @Test("UUIDs of version 7: ids of later milliseconds sort later; each one unique")
    func timeOrdered() throws {
        let start = Date(timeIntervalSince1970: 1_796_000_000)
        let ids = (0..<1000).map { EventID.make(at: start.addingTimeInterval(Double($0) / 500)) }
        // The first 48 bits (8 + 4 hex digits) are the millisecond.
        let stamps = ids.map { String($0.prefix(13)) }
        #expect(stamps == stamps.sorted(), "time prefixes in order")
        #expect(Set(ids).count == ids.count)
        for id in ids.prefix(10) {
            let uuid = try #require(UUID(uuidString: id))
            #expect(uuid.uuidString.lowercased() == id)
            #expect(Array(id)[14] == "7", "version 7: \(id)")
            #expect("89ab".contains(Array(id)[19]), "RFC 4122 variant: \(id)")
        }
    }
}
