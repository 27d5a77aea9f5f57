import Foundation
import OrderModel

/// The process KPIs over the status history of orders, as `orderctl kpi` prints them:
/// fulfilment rate (delivered / approved), on-time rate (delivered by the requested date,
/// which intake puts on the `received` status) and cycle time per stage (median, p95).
/// The tracking service computes the same report from its store and serves it as JSON
/// (this type's Codable form), which `orderctl kpi` prints with `text`.
public struct KPIReport: Sendable, Codable, Hashable {
    /// A ratio with the counts behind it.
    public struct Rate: Sendable, Hashable, Codable {
        public var part: Int
        public var whole: Int
        public init(part: Int, whole: Int) {
            self.part = part
            self.whole = whole
        }
        public var value: Double? { whole == 0 ? nil : Double(part) / Double(whole) }
    }

    /// How long orders took from one status to another.
    public struct StageTime: Sendable, Hashable, Codable {
        public var stage: String
        public var medianSeconds: Double
        public var p95Seconds: Double
        public var orders: Int
        public init(stage: String, medianSeconds: Double, p95Seconds: Double, orders: Int) {
            self.stage = stage
            self.medianSeconds = medianSeconds
            self.p95Seconds = p95Seconds
            self.orders = orders
        }
    }

    /// The stages measured: name, from status, to status (first occurrence of each).
    public static let stages: [(name: String, from: OrderStatus, to: OrderStatus)] = [
        ("review", .received, .approved), ("allocation", .approved, .allocated), ("fulfilment", .allocated, .packed),
        ("handover", .packed, .shipped), ("delivery", .shipped, .delivered), ("payment", .invoiced, .paid),
        ("order to cash", .received, .completed),
    ]

    public let orders: Int
    public let fulfilment: Rate
    public let onTime: Rate
    public let stageTimes: [StageTime]

    /// A report as computed before (e.g. decoded from the tracking service's answer).
    public init(orders: Int, fulfilment: Rate, onTime: Rate, stageTimes: [StageTime]) {
        self.orders = orders
        self.fulfilment = fulfilment
        self.onTime = onTime
        self.stageTimes = stageTimes
    }

    /// Computes the KPIs from each order's status changes (in feed order).
    public init(history: [String: [OrderStatusChanged]]) {
        func first(_ status: OrderStatus, _ changes: [OrderStatusChanged]) -> OrderStatusChanged? { changes.first { $0.status == status } }
        let approved = history.values.filter { first(.approved, $0) != nil }
        let delivered = approved.filter { first(.delivered, $0) != nil }
        let punctuality = delivered.compactMap { changes -> Bool? in
            guard let due = changes.lazy.compactMap({ $0.details?["requestedDeliveryDate"] }).first.flatMap(LocalDate.init),
                  let delivery = first(.delivered, changes) else { return nil }
            return LocalDate(delivery.at) <= due
        }
        orders = history.count
        fulfilment = Rate(part: delivered.count, whole: approved.count)
        onTime = Rate(part: punctuality.filter { $0 }.count, whole: punctuality.count)
        stageTimes = Self.stages.compactMap { stage in
            let durations = history.values.compactMap { changes -> Double? in
                guard let start = first(stage.from, changes), let end = first(stage.to, changes) else { return nil }
                return end.at.timeIntervalSince(start.at)
            }.sorted()
            guard !durations.isEmpty else { return nil }
            return StageTime(stage: stage.name, medianSeconds: durations[durations.count / 2],
                             p95Seconds: durations[min(durations.count - 1, Int(Double(durations.count) * 0.95))], orders: durations.count)
        }
    }

    /// The report for people.
    public var text: String {
        func percent(_ rate: Rate) -> String {
            rate.value.map { String(format: "%.1f %% (%d/%d)", $0 * 100, rate.part, rate.whole) } ?? "n/a"
        }
        var lines = ["orders seen: \(orders), approved: \(fulfilment.whole), delivered: \(fulfilment.part)"]
        lines.append("fulfilment rate (delivered / approved): \(percent(fulfilment))")
        lines.append("on-time rate (delivered by the requested date): \(percent(onTime))")
        lines.append("cycle time per stage (seconds: median / p95 / orders):")
        for stage in Self.stages {
            guard let time = stageTimes.first(where: { $0.stage == stage.name }) else { lines.append("  \(stage.name): no data"); continue }
            lines.append("  \(stage.name): \(String(format: "%.2f", time.medianSeconds)) / \(String(format: "%.2f", time.p95Seconds)) / \(time.orders)")
        }
        return lines.joined(separator: "\n")
    }
}
