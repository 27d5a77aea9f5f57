import DepartmentKit
import Foundation

/// Every tunable of logistics, with the documented defaults. Read from
/// `ORDERFLOW_LOGISTICS_*` environment variables by `init(environment:)`.
public struct LogisticsConfig: Sendable, Hashable {
    /// Demo mode: a simulated carrier scans and delivers every shipment by itself.
    /// Default false. `ORDERFLOW_LOGISTICS_DEMO_MODE`; `ORDERFLOW_DEMO_MODE` also turns it on.
    public var demoMode: Bool
    /// Ship-to regions only the postal service reaches. Default Tibet, Xinjiang, Qinghai.
    public var remoteRegions: [String]
    /// Orders heavier than this (kg, strictly above) go by freight. Default 500.
    public var freightAboveKg: Decimal
    /// Orders worth more than this (gross, in the order's currency, strictly above) go by
    /// secure transport. Default 200000.00.
    public var secureAboveValue: Decimal
    /// Days from dispatch to the estimated delivery, per carrier. Defaults: postal 7,
    /// express 1, freight 5, secure 2, standard 3.
    public var transitDays: [Carrier: Int]
    /// When a shipment is damaged or lost, open a claim instead of sending a replacement.
    /// Default false.
    public var claimInsteadOfReplacement: Bool
    /// Simulated carrier: seconds after dispatch until the `in_transit` scan. Default 0.3.
    public var inTransitAfter: TimeInterval
    /// Simulated carrier: seconds after dispatch until the `delivered` scan. Default 0.6.
    public var deliveredAfter: TimeInterval
    /// How long after the estimated delivery an undelivered shipment breaches the delivery
    /// stage limit (seconds). Default 24 h.
    public var deliveryGrace: TimeInterval

    public static let defaultTransitDays: [Carrier: Int] = [.postal: 7, .express: 1, .freight: 5, .secure: 2, .standard: 3]

    public init(demoMode: Bool = false,
                remoteRegions: [String] = ["Tibet", "Xinjiang", "Qinghai"],
                freightAboveKg: Decimal = 500,
                secureAboveValue: Decimal = 200_000,
                transitDays: [Carrier: Int] = LogisticsConfig.defaultTransitDays,
                claimInsteadOfReplacement: Bool = false,
                inTransitAfter: TimeInterval = 0.3,
                deliveredAfter: TimeInterval = 0.6,
                deliveryGrace: TimeInterval = 24 * 3600) {
        self.demoMode = demoMode
        self.remoteRegions = remoteRegions
        self.freightAboveKg = freightAboveKg
        self.secureAboveValue = secureAboveValue
        self.transitDays = transitDays
        self.claimInsteadOfReplacement = claimInsteadOfReplacement
        self.inTransitAfter = inTransitAfter
        self.deliveredAfter = deliveredAfter
        self.deliveryGrace = deliveryGrace
    }

    /// Reads `ORDERFLOW_LOGISTICS_*` (see the service README); unset variables keep their
    /// defaults (as do empty ones), unreadable ones throw `ConfigurationError`.
    public init(environment: [String: String]) throws(ConfigurationError) {
        let env = EnvironmentReader(environment: environment)
        let defaults = LogisticsConfig()
        let prefix = "ORDERFLOW_LOGISTICS_"
        var transitDays: [Carrier: Int] = [:]
        for carrier in Carrier.allCases {
            transitDays[carrier] = try env.nonNegativeInt(prefix + "TRANSIT_DAYS_\(carrier.rawValue.uppercased())")
                ?? defaults.days(for: carrier)
        }
        // ORDERFLOW_DEMO_MODE is only read when the logistics variable does not turn demo mode on.
        let ownDemoMode = try env.bool(prefix + "DEMO_MODE") ?? false
        self.init(
            demoMode: try ownDemoMode ? true : (env.bool("ORDERFLOW_DEMO_MODE") ?? false),
            remoteRegions: env.list(prefix + "REMOTE_REGIONS") ?? defaults.remoteRegions,
            freightAboveKg: try env.nonNegativeDecimal(prefix + "FREIGHT_ABOVE_KG") ?? defaults.freightAboveKg,
            secureAboveValue: try env.nonNegativeDecimal(prefix + "SECURE_ABOVE_VALUE") ?? defaults.secureAboveValue,
            transitDays: transitDays,
            claimInsteadOfReplacement: try env.bool(prefix + "CLAIM_INSTEAD_OF_REPLACEMENT") ?? false,
            inTransitAfter: try env.seconds(prefix + "IN_TRANSIT_AFTER_SECONDS") ?? defaults.inTransitAfter,
            deliveredAfter: try env.seconds(prefix + "DELIVERED_AFTER_SECONDS") ?? defaults.deliveredAfter,
            deliveryGrace: try env.seconds(prefix + "DELIVERY_GRACE_SECONDS") ?? defaults.deliveryGrace)
    }

    /// Transit days for `carrier` (3 when the table has no entry for it).
    public func days(for carrier: Carrier) -> Int { transitDays[carrier] ?? Self.defaultTransitDays[carrier] ?? 3 }
}
