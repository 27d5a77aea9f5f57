import Foundation
import Hummingbird
import OrderModel
import ServiceKit
import TrackingRules
import TrackingWeb

/// The tracking API and page on the service's HTTP port (Services/Tracking/README.md):
/// - `GET /orders/{orderId}`: the order, its status and its timeline (404 when unknown);
/// - `GET /orders?channel=&externalOrderId=` | `?externalOrderId=` | `?customerId=` | `?status=`
///   (`limit`, `cursor`);
/// - `GET /sla-breaches`, `GET /deadletters` (newest first; `limit`, `cursor`);
/// - `GET /kpis?from=YYYY-MM-DD&to=YYYY-MM-DD` (default: the last 30 days);
/// - `GET /`: the web page (`?q=` searches; `from`/`to` choose the KPI period, whose
///   figures are reused for 30 s: `KPICache`).
/// Every read is one `ServiceDatabase.read`, off the processing loop's writer.
struct TrackingRoutes: Sendable {
    let database: any ServiceDatabase
    let pageKPIs = KPICache()

    func add(to router: Router<BasicRequestContext>) {
        let database = self.database
        let pageKPIs = self.pageKPIs
        router.get("/orders/:orderId") { _, context in
            let id = context.parameters.get("orderId") ?? ""
            guard let order = try await database.read({ state in try TrackingQueries.order(id, in: state) }) else {
                return try Self.json(.notFound, Problem(error: "no order \(id) is known to tracking"))
            }
            return try Self.json(.ok, order)
        }
        router.get("/orders") { request, _ in
            let query = Query(request)
            let index: TrackingIndex
            if let channel = query["channel"], let external = query["externalOrderId"] {
                index = .external(channel: channel, externalOrderId: external)
            } else if let external = query["externalOrderId"] {
                index = .externalId(external)
            } else if let customer = query["customerId"] {
                index = .customer(customer)
            } else if let status = query["status"] {
                index = .status(status)
            } else {
                return try Self.json(.badRequest, Problem(error: "give channel and externalOrderId, externalOrderId, customerId, or status"))
            }
            let (limit, cursor) = try query.page()
            return try Self.json(.ok, try await database.read { state in
                try TrackingQueries.orders(index, after: cursor, limit: limit, in: state)
            })
        }
        router.get("/sla-breaches") { request, _ in
            let (limit, cursor) = try Query(request).page()
            return try Self.json(.ok, try await database.read { state in try TrackingQueries.slaBreaches(after: cursor, limit: limit, in: state) })
        }
        router.get("/deadletters") { request, _ in
            let (limit, cursor) = try Query(request).page()
            return try Self.json(.ok, try await database.read { state in try TrackingQueries.deadLetters(after: cursor, limit: limit, in: state) })
        }
        router.get("/kpis") { request, _ in
            let (from, to) = try Query(request).period()
            return try Self.json(.ok, try await database.read { state in try TrackingQueries.kpis(from: from, to: to, in: state) })
        }
        router.get("/") { request, _ in
            let query = Query(request)
            let text = query[TrackingPage.searchField] ?? ""
            let (from, to) = try query.period()
            let kpis = try await pageKPIs.kpis(from: from, to: to) {
                try await database.read { state in try TrackingQueries.kpis(from: from, to: to, in: state) }
            }
            let model = try await database.read { state -> TrackingPage.Model in
                let results = try TrackingQueries.search(text, in: state)
                let order = results.count == 1 ? try TrackingQueries.order(results[0].orderId, in: state) : nil
                return TrackingPage.Model(
                    query: text, results: results, order: order,
                    breaches: try TrackingQueries.slaBreaches(after: nil, limit: 20, in: state).items,
                    kpis: kpis, deadLetters: try TrackingQueries.deadLetters(after: nil, limit: 20, in: state).items)
            }
            return Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"],
                            body: ResponseBody(byteBuffer: ByteBuffer(string: TrackingPage.render(model))))
        }
    }

    static func json(_ status: HTTPResponse.Status, _ value: some Encodable) throws -> Response {
        Response(status: status, headers: [.contentType: "application/json"],
                 body: ResponseBody(byteBuffer: ByteBuffer(bytes: try OrderFlowJSON.encode(value))))
    }
}

/// An error answer: `{"error": "…"}`.
struct Problem: Codable {
    var error: String
}

/// The query string, decoded as a form submits it (`+` is a space).
struct Query {
    private var values: [String: String] = [:]

    init(_ request: Request) {
        for pair in (request.uri.query ?? "").split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ text: Substring) -> String {
                text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(text)
            }
            let key = decode(parts[0])
            let value = parts.count > 1 ? decode(parts[1]).trimmingCharacters(in: .whitespaces) : ""
            if values[key] == nil, !value.isEmpty { values[key] = value }
        }
    }

    subscript(_ name: String) -> String? { values[name] }

    /// `limit` (default 50, at most 500) and `cursor`.
    func page() throws -> (Int, String?) {
        guard let text = values["limit"] else { return (50, values["cursor"]) }
        guard let limit = Int(text), limit > 0 else { throw HTTPError(.badRequest, message: "limit must be a positive whole number") }
        return (min(limit, TrackingQueries.maxLimit), values["cursor"])
    }

    /// `from` and `to` (UTC dates, both included); default the 30 days up to today.
    func period(today: LocalDate = LocalDate(Date())) throws -> (LocalDate, LocalDate) {
        func date(_ name: String) throws -> LocalDate? {
            guard let text = values[name] else { return nil }
            guard let date = LocalDate(text) else { throw HTTPError(.badRequest, message: "\(name) must be a date, YYYY-MM-DD") }
            return date
        }
        let to = try date("to") ?? today
        let from = try date("from") ?? to.adding(days: -29)
        guard from <= to else { throw HTTPError(.badRequest, message: "from must not be after to") }
        guard to < from.adding(days: TrackingQueries.maxPeriodDays) else {
            throw HTTPError(.badRequest, message: "a period is at most \(TrackingQueries.maxPeriodDays) days")
        }
        return (from, to)
    }
}
