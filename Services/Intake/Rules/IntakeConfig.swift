import DepartmentKit
import Foundation

/// Intake's tunables: how an order's priority is derived when the submission names none,
/// and the shipping method of submissions that name none. Every field has a documented
/// default and an `ORDERFLOW_INTAKE_<NAME>` environment variable.
public struct IntakeConfig: Sendable, Hashable {
    /// Customer tiers whose orders are `high` priority (`ORDERFLOW_INTAKE_HIGH_PRIORITY_TIERS`,
    /// comma-separated). Default `A`.
    public var highPriorityTiers: Set<String>
    /// Orders whose gross total (tax included, order currency) is at least this are `high`
    /// priority (`ORDERFLOW_INTAKE_HIGH_PRIORITY_GROSS`). Default 200000.00.
    public var highPriorityGross: Decimal
    /// Customer tiers whose orders are `low` priority unless they qualify for `high`
    /// (`ORDERFLOW_INTAKE_LOW_PRIORITY_TIERS`, comma-separated). Default `C`.
    public var lowPriorityTiers: Set<String>
    /// The shipping method of a submission that names none
    /// (`ORDERFLOW_INTAKE_DEFAULT_SHIPPING_METHOD`). Default `standard`.
    public var defaultShippingMethod: String

    public init(highPriorityTiers: Set<String> = ["A"], highPriorityGross: Decimal = Decimal(200_000),
                lowPriorityTiers: Set<String> = ["C"], defaultShippingMethod: String = "standard") {
        self.highPriorityTiers = highPriorityTiers
        self.highPriorityGross = highPriorityGross
        self.lowPriorityTiers = lowPriorityTiers
        self.defaultShippingMethod = defaultShippingMethod
    }

    /// Reads `ORDERFLOW_INTAKE_*` variables; unset ones keep their default, an empty list
    /// is the empty list. Throws `ConfigurationError` for a value that cannot be read.
    public init(environment: [String: String]) throws(ConfigurationError) {
        let reader = EnvironmentReader(environment: environment, prefix: "ORDERFLOW_INTAKE_", emptyValue: .isAValue)
        let defaults = IntakeConfig()
        self.init(
            highPriorityTiers: reader.list("HIGH_PRIORITY_TIERS").map(Set.init) ?? defaults.highPriorityTiers,
            highPriorityGross: try reader.nonNegativeDecimal("HIGH_PRIORITY_GROSS") ?? defaults.highPriorityGross,
            lowPriorityTiers: reader.list("LOW_PRIORITY_TIERS").map(Set.init) ?? defaults.lowPriorityTiers,
            defaultShippingMethod: try reader.word("DEFAULT_SHIPPING_METHOD") ?? defaults.defaultShippingMethod
        )
    }
}
