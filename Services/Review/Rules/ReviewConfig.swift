import DepartmentKit
import Foundation

/// Review's tunables: when an order needs a person's approval (and how many), the
/// deposit rate for made-to-order goods, and how long an order may wait in review. Every
/// field has a documented default and an `ORDERFLOW_REVIEW_<NAME>` environment variable.
public struct ReviewConfig: Sendable, Hashable {
    /// Gross totals (tax included, in the order's currency) above which one more
    /// approval level is needed, one level per threshold exceeded
    /// (`ORDERFLOW_REVIEW_APPROVAL_THRESHOLDS`, comma-separated). Default `100000.00`.
    public var approvalThresholds: [Decimal]
    /// Customer tiers whose orders always need at least one approval
    /// (`ORDERFLOW_REVIEW_APPROVAL_TIERS`, comma-separated). Default `C`.
    public var approvalTiers: Set<String>
    /// The share of the gross total asked as a deposit when any line is made to order,
    /// from 0 to 1 (`ORDERFLOW_REVIEW_DEPOSIT_RATE`). Default 0.30.
    public var depositRate: Decimal
    /// How long an order may wait in `pending_approval` or `awaiting_deposit` before
    /// `order.sla-breached` is published, in seconds (`ORDERFLOW_REVIEW_STAGE_LIMIT_SECONDS`).
    /// Default 7200 (2 h).
    public var stageLimit: TimeInterval

    public init(approvalThresholds: [Decimal] = [Decimal(100_000)], approvalTiers: Set<String> = ["C"],
                depositRate: Decimal = Decimal(string: "0.30")!, stageLimit: TimeInterval = 2 * 3600) {
        self.approvalThresholds = approvalThresholds
        self.approvalTiers = approvalTiers
        self.depositRate = depositRate
        self.stageLimit = stageLimit
    }

    /// Reads `ORDERFLOW_REVIEW_*` variables; unset ones keep their default, an empty list
    /// is the empty list. Throws `ConfigurationError` for a value that cannot be read.
    public init(environment: [String: String]) throws(ConfigurationError) {
        let reader = EnvironmentReader(environment: environment, prefix: "ORDERFLOW_REVIEW_", emptyValue: .isAValue)
        let defaults = ReviewConfig()
        self.init(
            approvalThresholds: try reader.decimalList("APPROVAL_THRESHOLDS") ?? defaults.approvalThresholds,
            approvalTiers: reader.list("APPROVAL_TIERS").map(Set.init) ?? defaults.approvalTiers,
            depositRate: try reader.fraction("DEPOSIT_RATE") ?? defaults.depositRate,
            stageLimit: try reader.positiveSeconds("STAGE_LIMIT_SECONDS") ?? defaults.stageLimit
        )
    }
}
