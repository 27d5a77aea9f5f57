import BillingRules
import DepartmentKit
import Foundation
import Testing

@Suite("Billing configuration")
struct BillingConfigTests {
    @Test("no variables → the documented defaults")
    func defaults() throws {
        let config = try BillingConfig(environment: [:])
        #expect(config == BillingConfig())
        #expect(config.reminderInterval == 7 * 86400)
        #expect(config.escalateAfterDays == 30)
    }

    @Test("variables override the defaults")
    func overrides() throws {
        let config = try BillingConfig(environment: [
            "ORDERFLOW_BILLING_REMINDER_INTERVAL_SECONDS": "0.5",
            "ORDERFLOW_BILLING_ESCALATE_AFTER_DAYS": "45",
        ])
        #expect(config == BillingConfig(reminderInterval: 0.5, escalateAfterDays: 45))
    }

    @Test("an unreadable value is an error that names the variable", arguments: [
        "ORDERFLOW_BILLING_REMINDER_INTERVAL_SECONDS",
        "ORDERFLOW_BILLING_ESCALATE_AFTER_DAYS",
    ])
    func invalidValue(_ variable: String) {
        #expect {
            try BillingConfig(environment: [variable: "soon"])
        } throws: { error in
            (error as? ConfigurationError)?.variable == variable && "\(error)".contains(variable)
        }
    }
}
