import DemoKit
import DepartmentKit
import Foundation
import OrderModel

/// A page of a list: the items and the cursor that asks for the next page (nil: the last).
public struct Page<Item: Codable & Sendable & Hashable>: Codable, Sendable, Hashable {
    public var items: [Item]
    public var nextCursor: String?
}

/// The questions the API and the page ask of the store. Every one reads what it answers
/// (one record, or one page of an index and the records it names), never the whole store.
public enum TrackingQueries {
    /// The largest page the API serves.
    public static let maxLimit = 500

    public static func order(_ orderId: String, in state: any StateStore) throws -> TrackedOrder? {
        try state.get(TrackedOrder.self, orderId)
    }

    /// Orders of an index, by order id, `limit` after `cursor` (an order id).
    public static func orders(_ index: TrackingIndex, after cursor: String?, limit: Int, in state: any StateStore) throws -> Page<OrderSummary> {
        let limit = min(max(1, limit), maxLimit)
        // One more than asked tells whether there is a next page.
        let rows = try state.loadRangeRaw(kind: index.kind, after: cursor, limit: limit + 1)
        let page = rows.prefix(limit)
        let orders = try page.compactMap { try state.get(TrackedOrder.self, $0.key)?.summary }
        return Page(items: orders, nextCursor: rows.count > limit ? page.last?.key : nil)
    }

    /// SLA breaches, newest first.
    public static func slaBreaches(after cursor: String?, limit: Int, in state: any StateStore) throws -> Page<SLABreachRow> {
        try newestFirst(TrackingStore.slaBreaches, SLABreachRow.self, after: cursor, limit: limit, in: state)
    }

    /// Dead letters, newest first.
    public static func deadLetters(after cursor: String?, limit: Int, in state: any StateStore) throws -> Page<DeadLetterRow> {
        try newestFirst(TrackingStore.deadLetters, DeadLetterRow.self, after: cursor, limit: limit, in: state)
    }

    private static func newestFirst<R: Codable & Sendable & Hashable>(_ kind: String, _ type: R.Type, after cursor: String?, limit: Int,
                                                                    in state: any StateStore) throws -> Page<R> {
        let limit = min(max(1, limit), maxLimit)
        let rows = try state.loadRangeRaw(kind: kind, after: cursor, limit: limit + 1)
        let page = rows.prefix(limit)
        return Page(items: try page.map { try OrderFlowJSON.decode(R.self, from: $0.value) },
                    nextCursor: rows.count > limit ? page.last?.key : nil)
    }

    /// What a clerk's search means, tried in turn: an order id (any case),
    /// `channel:externalOrderId` (or the two apart, separated by a space), the platform's
    /// order id alone, a customer id. Returns the orders found by the first that finds any;
    /// at most `limit`.
    public static func search(_ text: String, limit: Int = 50, in state: any StateStore) throws -> [OrderSummary] {
        let query = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !query.isEmpty else { return [] }
        if let order = try order(query, in: state) { return [order.summary] }
        let uppercased = query.uppercased()
        if uppercased != query, let order = try order(uppercased, in: state) { return [order.summary] }
        let pair: [String]
        if let colon = query.firstIndex(of: ":") {
            pair = [String(query[..<colon]), String(query[query.index(after: colon)...])]
        } else {
            pair = query.split(whereSeparator: \.isWhitespace).map(String.init)
        }
        if pair.count == 2 {
            let channel = pair[0].trimmingCharacters(in: .whitespaces), external = pair[1].trimmingCharacters(in: .whitespaces)
            let found = try orders(.external(channel: channel, externalOrderId: external), after: nil, limit: limit, in: state).items
            if !found.isEmpty { return found }
        }
        for index in [TrackingIndex.externalId(query), .customer(query)] {
            let found = try orders(index, after: nil, limit: limit, in: state).items
            if !found.isEmpty { return found }
        }
        return []
    }

    /// Orders whose first event fell in `from`…`to` (UTC days, both included; at most
    /// `maxPeriodDays`), read through the day index.
    public static func ordersStarted(from: LocalDate, to: LocalDate, in state: any StateStore) throws -> [TrackedOrder] {
        var orders: [TrackedOrder] = []
        var day = from
        var days = 0
        while day <= to, days < maxPeriodDays {
            for row in try state.loadAllRaw(kind: TrackingIndex.day(day).kind) {
                if let order = try state.get(TrackedOrder.self, row.key) { orders.append(order) }
            }
            day = day.adding(days: 1)
            days += 1
        }
        return orders
    }

    /// The longest KPI period, in days.
    public static let maxPeriodDays = 366

    /// The KPIs of the orders that started in the period: overall and by region, customer
    /// and product (an order counts for each product it has).
    public static func kpis(from: LocalDate, to: LocalDate, in state: any StateStore) throws -> TrackingKPIs {
        TrackingKPIs(from: from, to: to, orders: try ordersStarted(from: from, to: to, in: state))
    }
}

/// `GET /kpis`: `KPIReport` (the same figures as `orderctl kpi`) over a period, overall and
/// by region, customer and product.
public struct TrackingKPIs: Codable, Sendable, Hashable {
    /// One report, with the rates as numbers too (nil where nothing was measured).
    public struct Figures: Codable, Sendable, Hashable {
        public var report: KPIReport
        public var fulfilmentRate: Double?
        public var onTimeRate: Double?

        public init(_ report: KPIReport) {
            self.report = report
            fulfilmentRate = report.fulfilment.value
            onTimeRate = report.onTime.value
        }
    }

    public var from: String
    public var to: String
    public var overall: Figures
    public var byRegion: [String: Figures]
    public var byCustomer: [String: Figures]
    public var byProduct: [String: Figures]

    public init(from: LocalDate, to: LocalDate, orders: [TrackedOrder]) {
        self.from = from.description
        self.to = to.description
        func figures(_ orders: [TrackedOrder]) -> Figures {
            Figures(KPIReport(history: Dictionary(orders.map { ($0.orderId, $0.statusChanges) }, uniquingKeysWith: { first, _ in first })))
        }
        func grouped(_ keys: (TrackedOrder) -> [String]) -> [String: Figures] {
            var groups: [String: [TrackedOrder]] = [:]
            for order in orders { for key in Set(keys(order)) { groups[key, default: []].append(order) } }
            return groups.mapValues(figures)
        }
        overall = figures(orders)
        byRegion = grouped { [$0.region ?? "unknown"] }
        byCustomer = grouped { [$0.customerId ?? "unknown"] }
        byProduct = grouped { $0.skus ?? [] }
    }
}
