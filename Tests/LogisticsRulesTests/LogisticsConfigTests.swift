import DepartmentKit
import Foundation
import LogisticsRules
import Testing

@Suite("Logistics configuration")
struct LogisticsConfigTests {
    @Test("no variables → the documented defaults")
    func defaults() throws {
        let config = try LogisticsConfig(environment: [:])
        #expect(config == LogisticsConfig())
        #expect(config.demoMode == false)
        #expect(config.remoteRegions == ["Tibet", "Xinjiang", "Qinghai"])
        #expect(config.freightAboveKg == 500)
        #expect(config.secureAboveValue == 200_000)
        #expect(config.days(for: .standard) == 3)
        #expect(config.inTransitAfter == 0.3)
        #expect(config.deliveredAfter == 0.6)
        #expect(config.deliveryGrace == 86400)
        #expect(config.claimInsteadOfReplacement == false)
    }

    @Test("variables override the defaults; ORDERFLOW_DEMO_MODE turns demo mode on")
    func overrides() throws {
        let config = try LogisticsConfig(environment: [
            "ORDERFLOW_DEMO_MODE": "true",
            "ORDERFLOW_LOGISTICS_REMOTE_REGIONS": "Tibet, Hainan",
            "ORDERFLOW_LOGISTICS_FREIGHT_ABOVE_KG": "800",
            "ORDERFLOW_LOGISTICS_SECURE_ABOVE_VALUE": "50000.00",
            "ORDERFLOW_LOGISTICS_TRANSIT_DAYS_POSTAL": "10",
            "ORDERFLOW_LOGISTICS_CLAIM_INSTEAD_OF_REPLACEMENT": "yes",
            "ORDERFLOW_LOGISTICS_IN_TRANSIT_AFTER_SECONDS": "1.5",
            "ORDERFLOW_LOGISTICS_DELIVERED_AFTER_SECONDS": "3",
            "ORDERFLOW_LOGISTICS_DELIVERY_GRACE_SECONDS": "60",
        ])
        #expect(config.demoMode)
        #expect(config.remoteRegions == ["Tibet", "Hainan"])
        #expect(config.freightAboveKg == 800)
        #expect(config.secureAboveValue == 50_000)
        #expect(config.days(for: .postal) == 10)
        #expect(config.days(for: .express) == 1)
        #expect(config.claimInsteadOfReplacement)
        #expect(config.inTransitAfter == 1.5)
        #expect(config.deliveredAfter == 3)
        #expect(config.deliveryGrace == 60)
        #expect(try LogisticsConfig(environment: ["ORDERFLOW_LOGISTICS_DEMO_MODE": "1"]).demoMode)
    }

    @Test("an unreadable value is an error that names the variable", arguments: [
        "ORDERFLOW_LOGISTICS_DEMO_MODE", "ORDERFLOW_DEMO_MODE", "ORDERFLOW_LOGISTICS_FREIGHT_ABOVE_KG",
        "ORDERFLOW_LOGISTICS_TRANSIT_DAYS_STANDARD", "ORDERFLOW_LOGISTICS_DELIVERY_GRACE_SECONDS",
    ])
    func invalidValue(_ variable: String) {
        #expect {
            try LogisticsConfig(environment: [variable: "-2x"])
        } throws: { error in
            (error as? ConfigurationError)?.variable == variable && "\(error)".contains(variable)
        }
    }
}
