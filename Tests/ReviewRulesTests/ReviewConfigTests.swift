import DepartmentKit
import Foundation
import Testing
@testable import ReviewRules

/// `ReviewConfig(environment:)`: unset → default, set → used, unreadable → error naming the variable.
struct ReviewConfigTests {
    @Test func emptyEnvironmentGivesDefaults() throws {
        let config = try ReviewConfig(environment: [:])
        #expect(config == ReviewConfig())
        #expect(config.approvalThresholds == [Decimal(100_000)])
        #expect(config.approvalTiers == ["C"])
        #expect(config.depositRate == Decimal(string: "0.30"))
        #expect(config.stageLimit == 7200)
    }

    @Test func variablesOverrideDefaults() throws {
        let config = try ReviewConfig(environment: [
            "ORDERFLOW_REVIEW_APPROVAL_THRESHOLDS": "100000.00, 500000.00",
            "ORDERFLOW_REVIEW_APPROVAL_TIERS": "C,D",
            "ORDERFLOW_REVIEW_DEPOSIT_RATE": "0.5",
            "ORDERFLOW_REVIEW_STAGE_LIMIT_SECONDS": "0.5",
        ])
        #expect(config.approvalThresholds == [Decimal(100_000), Decimal(500_000)])
        #expect(config.approvalTiers == ["C", "D"])
        #expect(config.depositRate == Decimal(string: "0.5"))
        #expect(config.stageLimit == 0.5)
    }

    @Test func emptyListsAreAllowed() throws {
        let config = try ReviewConfig(environment: ["ORDERFLOW_REVIEW_APPROVAL_THRESHOLDS": "", "ORDERFLOW_REVIEW_APPROVAL_TIERS": ""])
        #expect(config.approvalThresholds.isEmpty)
        #expect(config.approvalTiers.isEmpty)
    }

    @Test(arguments: [
        ("ORDERFLOW_REVIEW_APPROVAL_THRESHOLDS", "100k"),
        ("ORDERFLOW_REVIEW_DEPOSIT_RATE", "30%"),
        ("ORDERFLOW_REVIEW_DEPOSIT_RATE", "1.5"),
        ("ORDERFLOW_REVIEW_STAGE_LIMIT_SECONDS", "2h"),
        ("ORDERFLOW_REVIEW_STAGE_LIMIT_SECONDS", "0"),
    ])
    func unreadableValueThrowsNamingTheVariable(variable: String, value: String) {
        #expect {
            _ = try ReviewConfig(environment: [variable: value])
        } throws: { error in
            (error as? ConfigurationError)?.variable == variable && "\(error)".contains(variable)
        }
    }
}
