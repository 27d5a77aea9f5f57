import Foundation

/// Strict parsing and formatting of decimal strings such as `"1180.00"`.
///
/// Money and rates travel as JSON strings so that no party ever goes through binary
/// floating point. `Decimal(string:)` alone accepts prefixes like `"12abc"`, so every
/// decimal that enters OrderFlow is checked against `-?digits[.digits]` first.
public enum ExactDecimal {
    /// Parses `text` when it is a plain decimal number (optional leading minus, digits,
    /// optional fraction); returns nil for anything else (exponents, spaces, commas).
    public static func parse(_ text: String) -> Decimal? {
        var sawDigit = false
        var sawPoint = false
        for (index, char) in text.enumerated() {
            switch char {
            case "-" where index == 0: continue
            case "0"..."9": sawDigit = true
            case "." where !sawPoint && sawDigit: sawPoint = true; sawDigit = false
            default: return nil
            }
        }
        guard sawDigit, text.count <= 40 else { return nil }
        return Decimal(string: text, locale: Locale(identifier: "en_US_POSIX"))
    }

    /// Rounds half away from zero ("commercial rounding") to `scale` fractional digits.
    public static func round(_ value: Decimal, scale: Int) -> Decimal {
        var input = value
        var result = Decimal()
        NSDecimalRound(&result, &input, scale, .plain)
        return result
    }

    /// Formats `value` with exactly `scale` fractional digits, rounding first.
    public static func format(_ value: Decimal, scale: Int) -> String {
        let rounded = round(value, scale: scale)
        var text = NSDecimalNumber(decimal: rounded).description(withLocale: Locale(identifier: "en_US_POSIX"))
        if text == "-0" { text = "0" }
        guard scale > 0 else { return text }
        let parts = text.split(separator: ".", maxSplits: 1)
        let whole = String(parts[0])
        var fraction = parts.count > 1 ? String(parts[1]) : ""
        if fraction.count < scale { fraction += String(repeating: "0", count: scale - fraction.count) }
        return whole + "." + fraction
    }

    /// The shortest plain string for `value` (no trailing zeros), e.g. rates `"0.13"`.
    public static func plain(_ value: Decimal) -> String {
        NSDecimalNumber(decimal: value).description(withLocale: Locale(identifier: "en_US_POSIX"))
    }
}

/// A decimal number that is encoded in JSON as a string (`"0.13"`, `"12.5"`): used for
/// tax rates, weights and other exact non-money quantities.
public struct DecimalString: Codable, Sendable, Hashable, Comparable, CustomStringConvertible,
    ExpressibleByIntegerLiteral
{
    public var value: Decimal

    public init(_ value: Decimal) { self.value = value }
    public init(integerLiteral value: Int) { self.value = Decimal(value) }

    /// Parses a strict decimal string; nil when `text` is not one.
    public init?(_ text: String) {
        guard let value = ExactDecimal.parse(text) else { return nil }
        self.value = value
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let value = ExactDecimal.parse(text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "'\(text)' is not a decimal string")
        }
        self.value = value
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(ExactDecimal.plain(value))
    }

    public var description: String { ExactDecimal.plain(value) }
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.value < rhs.value }
}
