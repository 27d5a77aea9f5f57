import ArgumentParser
import IntakeRules
import ServiceKit

/// The `intake` executable: the intake department's rules on the shared OrderFlow runtime.
@main
struct IntakeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "intake",
        abstract: "OrderFlow intake service: consumes orders.submitted.",
        discussion: "Department settings are read from ORDERFLOW_INTAKE_* environment variables (see Services/Intake/README.md).")

    @OptionGroup var options: ServiceOptions

    func run() async throws {
        let config = try options.resolve(for: .intake)
        let rules = IntakeRules(config: try IntakeConfig(environment: config.environment))
        try await OrderFlowService.run(rules: rules, config: config)
    }
}
