import ArgumentParser
import ReviewRules
import ServiceKit

/// The `review` executable: the review department's rules on the shared OrderFlow runtime.
@main
struct ReviewCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "review",
        abstract: "OrderFlow review service: consumes orders.review.",
        discussion: "Department settings are read from ORDERFLOW_REVIEW_* environment variables (see Services/Review/README.md).")

    @OptionGroup var options: ServiceOptions

    func run() async throws {
        let config = try options.resolve(for: .review)
        let rules = ReviewRules(config: try ReviewConfig(environment: config.environment))
        try await OrderFlowService.run(rules: rules, config: config)
    }
}
