/// The carriers logistics ships with. Which one an order gets is decided by
/// `CarrierSelection` from the configured rules.
public enum Carrier: String, Codable, Sendable, Hashable, CaseIterable {
    /// The postal service: the only one that reaches the remote regions.
    case postal
    /// Next-day courier for orders that ask for `express` shipping.
    case express
    /// Freight forwarder for heavy orders.
    case freight
    /// Insured, escorted transport for high-value orders.
    case secure
    /// The everyday parcel carrier.
    case standard

    /// The letters in front of this carrier's tracking numbers.
    public var trackingPrefix: String {
        switch self {
        case .postal: "PST"
        case .express: "EXP"
        case .freight: "FRT"
        case .secure: "SEC"
        case .standard: "STD"
        }
    }
}
