import Foundation

/// An amount of money in one currency, held as an exact `Decimal` (never floating point).
///
/// Amounts are kept at full precision while they are computed and rounded to the
/// currency's minor unit (2 digits: CNY, USD, EUR …) with commercial rounding (half away
/// from zero) where the business rounds: per line for tax, per invoice for totals.
/// JSON form: `{"amount": "1180.00", "currency": "CNY"}`.
public struct Money: Codable, Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The exact amount.
    public var amount: Decimal
    /// ISO 4217 code, e.g. `CNY`.
    public var currency: String

    /// Digits after the decimal point for every currency OrderFlow handles.
    public static let minorUnitDigits = 2

    public init(_ amount: Decimal, _ currency: String) {
        self.amount = amount
        self.currency = currency
    }

    /// Parses a strict decimal string such as `"1180.00"`; nil when it is not one.
    public init?(_ text: String, currency: String) {
        guard let amount = ExactDecimal.parse(text) else { return nil }
        self.init(amount, currency)
    }

    /// Zero in `currency`.
    public static func zero(_ currency: String) -> Money { Money(0, currency) }

    /// The amount rounded to the minor unit (commercial rounding).
    public var rounded: Money { Money(ExactDecimal.round(amount, scale: Self.minorUnitDigits), currency) }

    /// The amount as a decimal string with exactly two fraction digits, e.g. `"1180.00"`.
    public var amountString: String { ExactDecimal.format(amount, scale: Self.minorUnitDigits) }

    public var isZero: Bool { amount == 0 }
    public var isPositive: Bool { amount > 0 }
    public var isNegative: Bool { amount < 0 }

    public var description: String { "\(amountString) \(currency)" }

    /// Multiplies by an exact factor (a quantity, a rate), without rounding.
    public func times(_ factor: Decimal) -> Money { Money(amount * factor, currency) }
    public func times(_ quantity: Int) -> Money { Money(amount * Decimal(quantity), currency) }

    /// `self - other`, or zero if that would be negative.
    public func subtractingClamped(_ other: Money) -> Money {
        let difference = self - other
        return difference.isNegative ? .zero(currency) : difference
    }

    public static func + (lhs: Money, rhs: Money) -> Money {
        precondition(lhs.currency == rhs.currency, "adding \(lhs.currency) to \(rhs.currency)")
        return Money(lhs.amount + rhs.amount, lhs.currency)
    }

    public static func - (lhs: Money, rhs: Money) -> Money {
        precondition(lhs.currency == rhs.currency, "subtracting \(rhs.currency) from \(lhs.currency)")
        return Money(lhs.amount - rhs.amount, lhs.currency)
    }

    public static func += (lhs: inout Money, rhs: Money) { lhs = lhs + rhs }
    public static func -= (lhs: inout Money, rhs: Money) { lhs = lhs - rhs }

    public static func < (lhs: Money, rhs: Money) -> Bool {
        precondition(lhs.currency == rhs.currency, "comparing \(lhs.currency) with \(rhs.currency)")
        return lhs.amount < rhs.amount
    }

    /// The minimum of two amounts in the same currency.
    public static func min(_ a: Money, _ b: Money) -> Money { a < b ? a : b }

    /// Sums amounts; `currency` is used when the sequence is empty.
    public static func sum(_ values: some Sequence<Money>, currency: String) -> Money {
        values.reduce(.zero(currency), +)
    }

    enum CodingKeys: String, CodingKey { case amount, currency }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let text = try container.decode(String.self, forKey: .amount)
        guard let amount = ExactDecimal.parse(text) else {
            throw DecodingError.dataCorruptedError(forKey: .amount, in: container, debugDescription: "'\(text)' is not a decimal string")
        }
        self.amount = amount
        self.currency = try container.decode(String.self, forKey: .currency)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        // Two fraction digits when that is exact; full precision otherwise (nothing is lost).
        try container.encode(ExactDecimal.formatIfExact(amount, scale: Self.minorUnitDigits) ?? ExactDecimal.plain(amount), forKey: .amount)
        try container.encode(currency, forKey: .currency)
    }
}
