import ArgumentParser
import Foundation
import OrderModel
import ServiceKit
import WarehouseRules

/// The `warehouse` executable: the warehouse department's rules on the shared OrderFlow runtime.
@main
struct WarehouseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "warehouse",
        abstract: "OrderFlow warehouse service: consumes orders.warehouse.",
        discussion: "Department settings are read from ORDERFLOW_WAREHOUSE_* environment variables (see Services/Warehouse/README.md).")

    @OptionGroup var options: ServiceOptions

    func run() async throws {
        let config = try options.resolve(for: .warehouse)
        let rules = WarehouseRules(config: try WarehouseConfig(environment: config.environment))
        try await OrderFlowService.run(rules: rules, config: config) { database in
            // GET /stock: on hand, reserved, in transit and available per SKU.
            [OpsHTTPServer.ExtraRoute(path: "/stock") {
                let levels = try await database.read { state in
                    Dictionary(uniqueKeysWithValues: try WarehouseRules.stockLevels(in: state).map { ($0.key.rawValue, $0.value) })
                }
                return try OrderFlowJSON.encoder.encode(levels)
            }]
        }
    }
}
