import ArgumentParser
import DemoKit
import Foundation
import Kafka
import OrderModel
import TrackingRules

/// `orderctl kpi`: the process KPIs (fulfilment rate, on-time delivery rate, cycle time per
/// stage), from the tracking service when it answers (over a period: by default its last
/// 30 days), else computed from the whole of `orders.status` (or the period asked for).
struct KPI: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "kpi", abstract: "Compute KPIs (fulfilment, on-time rate, cycle time per stage) from orders.status.")

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var tracking: TrackingOptions
    @Option(help: "First day of the period (YYYY-MM-DD, UTC): orders whose first status fell on it or later.") var from: String?
    @Option(help: "Last day of the period (YYYY-MM-DD, UTC).") var to: String?

    func run() async throws {
        let from = try day(self.from, "--from"), to = try day(self.to, "--to")
        if let client = await tracking.reachable() {
            let kpis = try await client.kpis(from: from, to: to)
            TrackingOptions.source("tracking service at \(client.base), orders started \(kpis.from) to \(kpis.to)")
            print(kpis.overall.report.text)
            return
        }
        TrackingOptions.source("orders.status topic (the tracking service at \(tracking.url) does not answer)")
        var history: [String: [OrderStatusChanged]] = [:]
        let reader = TopicReader(consumer: try connection.reader([.status]))
        try await reader.read(follow: false) { message in
            if let value = message.value, let (_, payload) = try? EventRegistry.standard.decodeForProcessing(Data(value)),
               let change = payload as? OrderStatusChanged {
                history[change.orderId.rawValue, default: []].append(change)
            }
            return true
        }
        if from != nil || to != nil {
            history = history.filter { _, changes in
                guard let first = changes.map(\.at).min() else { return false }
                let started = LocalDate(first)
                return (from.map { started >= $0 } ?? true) && (to.map { started <= $0 } ?? true)
            }
        }
        print(KPIReport(history: history).text)
    }

    private func day(_ text: String?, _ flag: String) throws -> LocalDate? {
        guard let text else { return nil }
        guard let date = LocalDate(text) else { throw ValidationError("\(flag) must be a date, YYYY-MM-DD") }
        return date
    }
}
