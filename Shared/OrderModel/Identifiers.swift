import Foundation

/// A string identifier with its own type, so an order id can't be passed where a SKU is
/// expected. Encoded in JSON as a plain string.
public protocol StringIdentifier: RawRepresentable<String>, Codable, Sendable, Hashable, Comparable,
    CustomStringConvertible, ExpressibleByStringLiteral
{
    init(rawValue: String)
}

extension StringIdentifier {
    public init(_ rawValue: String) { self.init(rawValue: rawValue) }
    public init(stringLiteral value: String) { self.init(rawValue: value) }
    public var description: String { rawValue }
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }

    public init(from decoder: any Decoder) throws {
        self.init(rawValue: try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

/// An order number assigned by intake: `SO-YYYY-NNNNNN`.
public struct OrderID: StringIdentifier {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    /// Formats the order number for `year` and a per-service sequence number.
    public static func make(year: Int, sequence: Int64) -> OrderID {
        let digits = String(sequence)
        let padded = String(repeating: "0", count: max(0, 6 - digits.count)) + digits
        return OrderID(rawValue: "SO-\(year)-\(padded)")
    }
}

/// A product's stock keeping unit, e.g. `PUMP-200`.
public struct SKU: StringIdentifier {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
}

/// A customer's id in master data, e.g. `C-1001`.
public struct CustomerID: StringIdentifier {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
}
