import DepartmentKit
import Foundation

/// Every tunable of billing, with the documented defaults. Read from `ORDERFLOW_BILLING_*`
/// environment variables by `init(environment:)`.
public struct BillingConfig: Sendable, Hashable {
    /// An overdue invoice gets a reminder at most this often (seconds). Default 7 days.
    public var reminderInterval: TimeInterval
    /// Days after the due date at which an unpaid invoice is escalated to collections
    /// (once; no more reminders after that). Default 30.
    public var escalateAfterDays: Int

    public init(reminderInterval: TimeInterval = 7 * 24 * 3600, escalateAfterDays: Int = 30) {
        self.reminderInterval = reminderInterval
        self.escalateAfterDays = escalateAfterDays
    }

    /// Reads `ORDERFLOW_BILLING_REMINDER_INTERVAL_SECONDS` and
    /// `ORDERFLOW_BILLING_ESCALATE_AFTER_DAYS`; unset or empty variables keep their
    /// defaults, unreadable ones throw `ConfigurationError`.
    public init(environment: [String: String]) throws(ConfigurationError) {
        let env = EnvironmentReader(environment: environment, prefix: "ORDERFLOW_BILLING_")
        let defaults = BillingConfig()
        self.init(
            reminderInterval: try env.seconds("REMINDER_INTERVAL_SECONDS") ?? defaults.reminderInterval,
            escalateAfterDays: try env.nonNegativeInt("ESCALATE_AFTER_DAYS") ?? defaults.escalateAfterDays)
    }
}
