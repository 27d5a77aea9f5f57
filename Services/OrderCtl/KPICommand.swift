import ArgumentParser
import Foundation
import Kafka
import OrderModel

/// `orderctl kpi`: the process KPIs computed from the status feed: fulfilment rate,
/// on-time delivery rate and cycle time per stage.
struct KPI: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "kpi", abstract: "Compute KPIs (fulfilment, on-time rate, cycle time per stage) from orders.status.")

    @OptionGroup var connection: ConnectionOptions

    func run() async throws {
        var history: [String: [OrderStatusChanged]] = [:]
        let reader = TopicReader(consumer: try connection.reader([.status]))
        try await reader.read(follow: false) { message in
            if let value = message.value, let event = try? EventRegistry.standard.decode(value), let change = event.payload as? OrderStatusChanged {
                history[change.orderId.rawValue, default: []].append(change)
            }
            return true
        }
        print(KPIReport(history: history).text)
    }
}

/// KPIs over the status history of orders (pure, so it can be tested).
struct KPIReport {
    let history: [String: [OrderStatusChanged]]

    static let stages: [(String, OrderStatus, OrderStatus)] = [
        ("review", .received, .approved), ("allocation", .approved, .allocated), ("fulfilment", .allocated, .packed),
        ("handover", .packed, .shipped), ("delivery", .shipped, .delivered), ("payment", .invoiced, .paid),
        ("order to cash", .received, .completed),
    ]

    var text: String {
        let orders = history.count
        func first(_ status: OrderStatus, _ changes: [OrderStatusChanged]) -> OrderStatusChanged? { changes.first { $0.status == status } }
        let accepted = history.values.filter { first(.approved, $0) != nil }
        let fulfilled = accepted.filter { first(.delivered, $0) != nil }
        let withDates = fulfilled.compactMap { changes -> Bool? in
            guard let due = changes.lazy.compactMap({ $0.details?["requestedDeliveryDate"] }).first.flatMap(LocalDate.init),
                  let delivered = first(.delivered, changes) else { return nil }
            return LocalDate(delivered.at) <= due
        }
        var lines = ["orders seen: \(orders), approved: \(accepted.count), delivered: \(fulfilled.count)"]
        lines.append("fulfilment rate (delivered / approved): \(percent(fulfilled.count, accepted.count))")
        lines.append("on-time rate (delivered by the requested date): \(percent(withDates.filter { $0 }.count, withDates.count))")
        lines.append("cycle time per stage (seconds: median / p95 / n):")
        for (name, from, to) in Self.stages {
            let durations = history.values.compactMap { changes -> Double? in
                guard let start = first(from, changes), let end = first(to, changes) else { return nil }
                return end.at.timeIntervalSince(start.at)
            }.sorted()
            guard !durations.isEmpty else { lines.append("  \(name): no data"); continue }
            let median = durations[durations.count / 2]
            let p95 = durations[min(durations.count - 1, Int(Double(durations.count) * 0.95))]
            lines.append("  \(name): \(String(format: "%.2f", median)) / \(String(format: "%.2f", p95)) / \(durations.count)")
        }
        return lines.joined(separator: "\n")
    }

    private func percent(_ part: Int, _ whole: Int) -> String {
        whole == 0 ? "n/a" : String(format: "%.1f %% (%d/%d)", Double(part) * 100 / Double(whole), part, whole)
    }
}
