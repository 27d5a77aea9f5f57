import ArgumentParser
import BillingRules
import ServiceKit

/// The `billing` executable: the billing department's rules on the shared OrderFlow runtime.
@main
struct BillingCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "billing",
        abstract: "OrderFlow billing service: consumes orders.billing.",
        discussion: "Department settings are read from ORDERFLOW_BILLING_* environment variables (see Services/Billing/README.md).")

    @OptionGroup var options: ServiceOptions

    func run() async throws {
        let config = try options.resolve(for: .billing)
        let rules = BillingRules(config: try BillingConfig(environment: config.environment))
        try await OrderFlowService.run(rules: rules, config: config)
    }
}
