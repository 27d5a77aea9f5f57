import Foundation
import OrderModel

/// Chooses the carrier for an order by the configured rules, first match wins:
/// ship-to region in the remote list → postal; shipping method `express` → express;
/// total weight above the freight limit → freight; gross value above the secure limit →
/// secure; anything else → standard.
public struct CarrierSelection: Sendable, Hashable {
    public var config: LogisticsConfig

    public init(config: LogisticsConfig) { self.config = config }

    /// The carrier for `order`.
    public func carrier(for order: Order) -> Carrier {
        if isRemote(order.shipTo.region) { return .postal }
        if order.shippingMethod.lowercased() == "express" { return .express }
        if Self.knownWeightKg(of: order) > config.freightAboveKg { return .freight }
        if order.totals.gross.amount > config.secureAboveValue { return .secure }
        return .standard
    }

    /// Whether `region` is one the ordinary carriers don't serve (case and surrounding
    /// spaces don't matter).
    public func isRemote(_ region: String) -> Bool {
        let wanted = Self.normalised(region)
        return config.remoteRegions.contains { Self.normalised($0) == wanted }
    }

    /// The weight of the lines whose products have a weight. Lines without one count as
    /// nothing, so the sum is a lower bound: an order above the limit by it is certainly heavy.
    public static func knownWeightKg(of order: Order) -> Decimal {
        order.lines.reduce(Decimal(0)) { sum, line in
            sum + (line.weightKg?.value ?? 0) * Decimal(line.quantity)
        }
    }

    private static func normalised(_ text: String) -> String {
        text.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
    }
}
