import ArgumentParser
import LogisticsRules
import ServiceKit

/// The `logistics` executable: the logistics department's rules on the shared OrderFlow runtime.
@main
struct LogisticsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logistics",
        abstract: "OrderFlow logistics service: consumes orders.logistics.",
        discussion: "Department settings are read from ORDERFLOW_LOGISTICS_* environment variables (see Services/Logistics/README.md).")

    @OptionGroup var options: ServiceOptions

    func run() async throws {
        let config = try options.resolve(for: .logistics)
        let rules = LogisticsRules(config: try LogisticsConfig(environment: config.environment))
        try await OrderFlowService.run(rules: rules, config: config)
    }
}
