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
        if let fast = parseShort(text) { return fast }
        return Decimal(string: text, locale: Locale(identifier: "en_US_POSIX"))
    }

    /// A checked decimal string of at most 18 digits, built from its digits directly
    /// (Decimal(string:) is slow, and money is read for every event).
    private static func parseShort(_ text: String) -> Decimal? {
        guard let (negative, mantissa, fractionDigits) = shortDigits(text.utf8) else { return nil }
        return decimal(negative: negative, mantissa: mantissa, fractionDigits: fractionDigits)
    }

    /// The sign, digits (as one integer) and fraction length of an already checked plain
    /// decimal (`-?digits[.digits]`), when it has at most 18 digits; nil otherwise.
    static func shortDigits<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> (negative: Bool, mantissa: UInt64, fractionDigits: Int)? {
        var mantissa: UInt64 = 0
        var digits = 0
        var fractionDigits = 0
        var negative = false
        var inFraction = false
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "-"): negative = true
            case UInt8(ascii: "."): inFraction = true
            default:
                mantissa = mantissa * 10 + UInt64(byte - UInt8(ascii: "0"))
                digits += 1
                if inFraction { fractionDigits += 1 }
            }
            if digits > 18 { return nil }
        }
        return (negative, mantissa, fractionDigits)
    }

    /// ±mantissa × 10^-fractionDigits (zero without a sign, as Foundation parses it).
    static func decimal(negative: Bool, mantissa: UInt64, fractionDigits: Int) -> Decimal {
        if mantissa == 0 { return Decimal(0) }
        return Decimal(sign: negative ? .minus : .plus, exponent: -fractionDigits, significand: Decimal(mantissa))
    }

    /// The value as sign, integer mantissa and power of ten, when the mantissa fits 64 bits.
    /// Decimal keeps a 32-bit header (exponent, length, sign) and eight 16-bit mantissa
    /// words but does not make those fields public on this platform; they are
    /// read from memory, and only after `layoutIsKnown` confirmed the layout on this build.
    private static func parts(_ value: Decimal) -> (negative: Bool, mantissa: UInt64, exponent: Int)? {
        guard layoutIsKnown, !value.isNaN else { return nil }
        return rawParts(value)
    }

    private static func rawParts(_ value: Decimal) -> (negative: Bool, mantissa: UInt64, exponent: Int)? {
        guard MemoryLayout<Decimal>.size == 20 else { return nil }
        return withUnsafeBytes(of: value) { raw -> (Bool, UInt64, Int)? in
            // Byte 0: the exponent; byte 1: length (high nibble), sign (bit 3), compact (bit 2).
            let exponent = Int(Int8(bitPattern: raw[0]))
            let length = Int(raw[1] >> 4)
            let negative = (raw[1] >> 3) & 1 == 1
            guard length <= 4 else { return nil }
            var mantissa: UInt64 = 0
            for word in 0..<4 {
                mantissa |= UInt64(raw.loadUnaligned(fromByteOffset: 4 + 2 * word, as: UInt16.self)) << (16 * UInt64(word))
            }
            for word in 4..<8 where raw.loadUnaligned(fromByteOffset: 4 + 2 * word, as: UInt16.self) != 0 { return nil }
            return (negative, mantissa, exponent)
        }
    }

    /// Whether Decimal's memory is laid out as `rawParts` reads it (checked once, on values
    /// whose parts are known).
    static let layoutIsKnown: Bool = {
        let checks = [Decimal(sign: .minus, exponent: -2, significand: Decimal(12345)),
                      Decimal(sign: .plus, exponent: 3, significand: Decimal(UInt64(9_876_543_210_123))),
                      Decimal(string: "1180.05")!]
        return checks.allSatisfy { value in
            guard let parts = rawParts(value) else { return false }
            return parts.negative == (value < 0)
                && Decimal(sign: parts.negative ? .minus : .plus, exponent: parts.exponent, significand: Decimal(parts.mantissa)) == value
        }
    }()

    private static let powersOfTen: [UInt64] = (0...19).map { power in (0..<power).reduce(UInt64(1)) { acc, _ in acc * 10 } }

    /// `value` with exactly `scale` fractional digits when that loses nothing; nil when it
    /// would round (or the value is too long for the quick check).
    public static func formatIfExact(_ value: Decimal, scale: Int) -> String? {
        guard let (_, mantissa, exponent) = parts(value) else {
            return round(value, scale: scale) == value ? format(value, scale: scale) : nil
        }
        let dropped = -scale - exponent
        if dropped > 0 {
            guard dropped <= 19, mantissa % powersOfTen[dropped] == 0 else { return nil }
        }
        return formatShort(value, scale: scale)
    }

    /// `format` for values whose digits fit 64 bits; nil otherwise.
    private static func formatShort(_ value: Decimal, scale: Int) -> String? {
        guard scale >= 0, scale <= 18, let (negative, mantissa, exponent) = parts(value) else { return nil }
        // The value in units of 10^-scale, rounded half away from zero.
        var units: UInt64
        let shift = exponent + scale
        if shift >= 0 {
            guard shift <= 19 else { return nil }
            let (product, overflow) = mantissa.multipliedReportingOverflow(by: powersOfTen[shift])
            guard !overflow else { return nil }
            units = product
        } else {
            guard -shift <= 19 else { return mantissa == 0 ? formatUnits(0, negative: false, scale: scale) : nil }
            let divisor = powersOfTen[-shift]
            let (quotient, remainder) = mantissa.quotientAndRemainder(dividingBy: divisor)
            units = quotient
            if remainder >= divisor - remainder { units += 1 }
        }
        return formatUnits(units, negative: negative && units != 0, scale: scale)
    }

    private static func formatUnits(_ units: UInt64, negative: Bool, scale: Int) -> String {
        var digits = Array(String(units).utf8)
        if digits.count <= scale { digits = Array(repeating: UInt8(ascii: "0"), count: scale + 1 - digits.count) + digits }
        var text = negative ? [UInt8(ascii: "-")] : []
        text += digits[..<(digits.count - scale)]
        if scale > 0 {
            text.append(UInt8(ascii: "."))
            text += digits[(digits.count - scale)...]
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// `plain` for values whose digits fit 64 bits; nil otherwise.
    private static func plainShort(_ value: Decimal) -> String? {
        guard var (negative, mantissa, exponent) = parts(value) else { return nil }
        if mantissa == 0 { return "0" }
        while exponent < 0, mantissa % 10 == 0 {
            mantissa /= 10
            exponent += 1
        }
        if exponent > 0 {
            guard exponent <= 19 else { return nil }
            let (product, overflow) = mantissa.multipliedReportingOverflow(by: powersOfTen[exponent])
            guard !overflow else { return nil }
            mantissa = product
            exponent = 0
        }
        negative = negative && mantissa != 0
        return formatUnits(mantissa, negative: negative, scale: -exponent)
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
        if let fast = formatShort(value, scale: scale) { return fast }
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
        if let fast = plainShort(value) { return fast }
        return NSDecimalNumber(decimal: value).description(withLocale: Locale(identifier: "en_US_POSIX"))
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
