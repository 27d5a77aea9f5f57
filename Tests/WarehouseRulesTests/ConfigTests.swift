import DepartmentKit
import Foundation
import Testing
import WarehouseRules

@Suite("Warehouse configuration")
struct ConfigTests {
    @Test("defaults are the documented ones")
    func defaults() throws {
        let config = try WarehouseConfig(environment: [:])
        #expect(config == WarehouseConfig())
        #expect(config.demoMode == false)
        #expect(config.pickDuration == 0.2)
        #expect(config.checkDuration == 0.2)
        #expect(config.packDuration == 0.2)
        #expect(config.inspectDuration == 0.2)
        #expect(config.qcFailureRate == 0.05)
        #expect(config.fulfilmentLimit == 24 * 3600)
    }

    @Test("every ORDERFLOW_WAREHOUSE_ variable is read")
    func readsEnvironment() throws {
        let config = try WarehouseConfig(environment: [
            "ORDERFLOW_WAREHOUSE_DEMO_MODE": "yes",
            "ORDERFLOW_WAREHOUSE_PICK_SECONDS": "1.5",
            "ORDERFLOW_WAREHOUSE_CHECK_SECONDS": "2",
            "ORDERFLOW_WAREHOUSE_PACK_SECONDS": "3",
            "ORDERFLOW_WAREHOUSE_INSPECT_SECONDS": "0",
            "ORDERFLOW_WAREHOUSE_QC_FAILURE_RATE": "0.25",
            "ORDERFLOW_WAREHOUSE_FULFILMENT_LIMIT_SECONDS": "3600",
        ])
        #expect(config == WarehouseConfig(demoMode: true, pickDuration: 1.5, checkDuration: 2, packDuration: 3,
                                          inspectDuration: 0, qcFailureRate: 0.25, fulfilmentLimit: 3600))
    }

    @Test("ORDERFLOW_DEMO_MODE turns demo mode on as well as the warehouse's own variable")
    func globalDemoMode() throws {
        #expect(try WarehouseConfig(environment: ["ORDERFLOW_DEMO_MODE": "true"]).demoMode)
        #expect(try WarehouseConfig(environment: ["ORDERFLOW_WAREHOUSE_DEMO_MODE": "1"]).demoMode)
        #expect(try WarehouseConfig(environment: ["ORDERFLOW_DEMO_MODE": "false", "ORDERFLOW_WAREHOUSE_DEMO_MODE": "off"]).demoMode == false)
        #expect(try WarehouseConfig(environment: ["ORDERFLOW_DEMO_MODE": ""]).demoMode == false)
    }

    @Test("an unreadable value is an error naming the variable, never a silent default",
          arguments: [
              ("ORDERFLOW_WAREHOUSE_QC_FAILURE_RATE", "often"),
              ("ORDERFLOW_WAREHOUSE_QC_FAILURE_RATE", "1.5"),
              ("ORDERFLOW_WAREHOUSE_PICK_SECONDS", "-1"),
              ("ORDERFLOW_WAREHOUSE_FULFILMENT_LIMIT_SECONDS", "1d"),
              ("ORDERFLOW_WAREHOUSE_DEMO_MODE", "maybe"),
              ("ORDERFLOW_DEMO_MODE", "sure"),
          ])
    func rejectsUnreadable(variable: String, value: String) {
        let error = #expect(throws: ConfigurationError.self) {
            try WarehouseConfig(environment: [variable: value])
        }
        #expect(error?.variable == variable)
        #expect(error?.value == value)
        #expect(error?.description.contains(variable) == true)
    }
}
