/// A machine-readable reason for a rejection, cancellation or refusal.
///
/// The contract's codes are static members; unknown codes decode as they are.
public struct ReasonCode: RawRepresentable, Codable, Sendable, Hashable, CustomStringConvertible,
    ExpressibleByStringLiteral
{
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.init(rawValue: value) }
    public var description: String { rawValue }

    public init(from decoder: any Decoder) throws {
        self.init(rawValue: try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    // Contract v1
    public static let invalidSubmission: ReasonCode = "invalid_submission"
    public static let unknownCustomer: ReasonCode = "unknown_customer"
    public static let unknownSKU: ReasonCode = "unknown_sku"
    public static let invalidQuantity: ReasonCode = "invalid_quantity"
    public static let currencyMismatch: ReasonCode = "currency_mismatch"
    public static let priceBelowPolicy: ReasonCode = "price_below_policy"
    public static let creditLimitExceeded: ReasonCode = "credit_limit_exceeded"
    public static let deliveryDateInfeasible: ReasonCode = "delivery_date_infeasible"
    public static let rejectedByReviewer: ReasonCode = "rejected_by_reviewer"
    public static let cancelledByCustomer: ReasonCode = "cancelled_by_customer"

    // Additions
    /// The customer is blocked in master data.
    public static let customerBlocked: ReasonCode = "customer_blocked"
    /// A SKU exists but is no longer sold (`active: false`).
    public static let inactiveSKU: ReasonCode = "inactive_sku"
    /// A cancellation or change came after the goods left the warehouse.
    public static let alreadyShipped: ReasonCode = "already_shipped"
    /// A cancellation or change named an order that does not exist or is already final.
    public static let orderNotOpen: ReasonCode = "order_not_open"
    /// Intake: a submission over the configured limits (lines, field lengths, message size;
    /// contract v1.1).
    public static let tooLarge: ReasonCode = "too_large"

    /// Every reason code of contract v1.
    public static let contractV1: [ReasonCode] = [
        .invalidSubmission, .unknownCustomer, .unknownSKU, .invalidQuantity, .currencyMismatch,
        .priceBelowPolicy, .creditLimitExceeded, .deliveryDateInfeasible, .rejectedByReviewer,
        .cancelledByCustomer,
    ]
}

/// A reason code with a human-readable message: `{ "code": "...", "message": "..." }`.
public struct Reason: Codable, Sendable, Hashable {
    public var code: ReasonCode
    public var message: String

    public init(_ code: ReasonCode, _ message: String) {
        self.code = code
        self.message = message
    }
}
