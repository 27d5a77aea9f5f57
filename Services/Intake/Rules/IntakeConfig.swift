import DepartmentKit
import Foundation

/// Intake's tunables: how an order's priority is derived when the submission names none,
/// the shipping method of submissions that name none, and how big a submission may be. Every field has a documented
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
    /// How big a submission may be (lines, field lengths, message size); see `SubmissionLimits`.
    public var limits: SubmissionLimits

    public init(highPriorityTiers: Set<String> = ["A"], highPriorityGross: Decimal = Decimal(200_000),
                lowPriorityTiers: Set<String> = ["C"], defaultShippingMethod: String = "standard",
                limits: SubmissionLimits = SubmissionLimits()) {
        self.highPriorityTiers = highPriorityTiers
        self.highPriorityGross = highPriorityGross
        self.lowPriorityTiers = lowPriorityTiers
        self.defaultShippingMethod = defaultShippingMethod
        self.limits = limits
    }

    /// Reads `ORDERFLOW_INTAKE_*` variables; unset ones keep their default, an empty list
    /// is the empty list. Throws `ConfigurationError` for a value that cannot be read.
    public init(environment: [String: String]) throws(ConfigurationError) {
        let reader = EnvironmentReader(environment: environment, prefix: "ORDERFLOW_INTAKE_", emptyValue: .isAValue)
        let defaults = IntakeConfig()
        let limits = defaults.limits
        self.init(
            highPriorityTiers: reader.list("HIGH_PRIORITY_TIERS").map(Set.init) ?? defaults.highPriorityTiers,
            highPriorityGross: try reader.nonNegativeDecimal("HIGH_PRIORITY_GROSS") ?? defaults.highPriorityGross,
            lowPriorityTiers: reader.list("LOW_PRIORITY_TIERS").map(Set.init) ?? defaults.lowPriorityTiers,
            defaultShippingMethod: try reader.word("DEFAULT_SHIPPING_METHOD") ?? defaults.defaultShippingMethod,
            limits: SubmissionLimits(
                maxLines: try reader.positiveInt("MAX_LINES") ?? limits.maxLines,
                maxFieldLength: try reader.positiveInt("MAX_FIELD_LENGTH") ?? limits.maxFieldLength,
                maxNotesLength: try reader.positiveInt("MAX_NOTES_LENGTH") ?? limits.maxNotesLength,
                maxSubmissionBytes: try reader.positiveInt("MAX_SUBMISSION_BYTES") ?? limits.maxSubmissionBytes)
        )
    }
}
