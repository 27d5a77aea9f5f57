import DepartmentKit
import Foundation
import Testing
@testable import IntakeRules

/// `IntakeConfig(environment:)`: unset → default, set → used, unreadable → error naming the variable.
struct IntakeConfigTests {
    @Test func emptyEnvironmentGivesDefaults() throws {
        let config = try IntakeConfig(environment: [:])
        #expect(config == IntakeConfig())
        #expect(config.highPriorityTiers == ["A"])
        #expect(config.highPriorityGross == Decimal(200_000))
        #expect(config.lowPriorityTiers == ["C"])
        #expect(config.defaultShippingMethod == "standard")
    }

    @Test func variablesOverrideDefaults() throws {
        let config = try IntakeConfig(environment: [
            "ORDERFLOW_INTAKE_HIGH_PRIORITY_TIERS": "A, B",
            "ORDERFLOW_INTAKE_HIGH_PRIORITY_GROSS": "50000.50",
            "ORDERFLOW_INTAKE_LOW_PRIORITY_TIERS": "",
            "ORDERFLOW_INTAKE_DEFAULT_SHIPPING_METHOD": "express",
        ])
        #expect(config.highPriorityTiers == ["A", "B"])
        #expect(config.highPriorityGross == Decimal(string: "50000.50"))
        #expect(config.lowPriorityTiers.isEmpty)
        #expect(config.defaultShippingMethod == "express")
    }

    @Test(arguments: ["lots", "-1", "1e5", ""])
    func unreadableGrossThrowsNamingTheVariable(value: String) {
        #expect {
            _ = try IntakeConfig(environment: ["ORDERFLOW_INTAKE_HIGH_PRIORITY_GROSS": value])
        } throws: { error in
            (error as? ConfigurationError)?.variable == "ORDERFLOW_INTAKE_HIGH_PRIORITY_GROSS"
                && "\(error)".contains("ORDERFLOW_INTAKE_HIGH_PRIORITY_GROSS")
        }
    }

    @Test func emptyShippingMethodThrows() {
        #expect(throws: ConfigurationError.self) {
            _ = try IntakeConfig(environment: ["ORDERFLOW_INTAKE_DEFAULT_SHIPPING_METHOD": " "])
        }
    }
}
