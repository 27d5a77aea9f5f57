import ArgumentParser
import Foundation
import ServiceKit
import TrackingRules

/// The `tracking` executable: reads `orders.status` (its own consumer group, the shared
/// processing core with its inbox) and `orders.deadletter` into its store, and serves the
/// tracking API and web page on its HTTP port (default 8086).
@main
struct TrackingCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tracking",
        abstract: "OrderFlow tracking service: order timelines, SLA breaches, KPIs and dead letters over HTTP (API and web page).",
        discussion: "Consumes orders.status and orders.deadletter; see Services/Tracking/README.md for the endpoints.")

    @OptionGroup var options: ServiceOptions

    func run() async throws {
        let config = try options.resolve(for: .tracking)
        try await OrderFlowService.run(rules: TrackingRules(), config: config, additions: { context in
            ServiceAdditions(
                routes: { router in TrackingRoutes(database: context.database).add(to: router) },
                services: try DeadLetterRecorder.make(config: context.config, database: context.database, logger: context.logger))
        })
    }
}
