import DemoKit
import Foundation
import OrderModel
import TrackingRules

/// The tracking web page at `/`: a search box (order number, `channel:external id`, or
/// customer), the order's timeline, recent SLA breaches, KPI charts and recent dead letters.
/// Rendered on the server as one HTML document; every value from the store is escaped.
public struct TrackingPage: Sendable {
    /// What the page shows.
    public struct Model: Sendable {
        public var query: String
        /// The orders the search found (empty without a search).
        public var results: [OrderSummary]
        /// The order shown in full (the one found, or the one picked from the results).
        public var order: TrackedOrder?
        public var breaches: [SLABreachRow]
        public var kpis: TrackingKPIs
        public var deadLetters: [DeadLetterRow]

        public init(query: String, results: [OrderSummary], order: TrackedOrder?, breaches: [SLABreachRow], kpis: TrackingKPIs,
                    deadLetters: [DeadLetterRow]) {
            self.query = query
            self.results = results
            self.order = order
            self.breaches = breaches
            self.kpis = kpis
            self.deadLetters = deadLetters
        }
    }

    /// The name of the search field (`/?q=…` is what the form submits).
    public static let searchField = "q"

    public static func render(_ model: Model) -> String {
        var html = """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>OrderFlow · order tracking</title>
            <style>\(style)</style></head>
            <body><header><h1>OrderFlow order tracking</h1>
            <form method="get" action="/" role="search" id="search">
            <label for="q">Order number, the platform's order id (or <em>channel:order id</em>), or customer id</label>
            <div class="row"><input id="q" name="\(searchField)" type="search" value="\(HTML.escape(model.query))" placeholder="SO-2026-000123 · tmall-flagship:TM-20261123-000042 · C-1001" autofocus>
            <button type="submit">Search</button></div>
            </form></header><main>
            """
        html += searchSection(model)
        html += breachSection(model.breaches)
        html += kpiSection(model.kpis, query: model.query)
        html += deadLetterSection(model.deadLetters)
        html += """
            </main><footer>JSON: <a href="/orders?status=shipped">/orders?status=…</a> · <a href="/sla-breaches">/sla-breaches</a> ·
            <a href="/kpis">/kpis</a> · <a href="/deadletters">/deadletters</a></footer></body></html>
            """
        return html
    }

    static func searchSection(_ model: Model) -> String {
        guard !model.query.trimmingCharacters(in: .whitespaces).isEmpty else {
            return #"<section id="order"><p class="muted">Type an order number (SO-…), the platform's order id (or <code>channel:order id</code>) or a customer id, then press Search.</p></section>"#
        }
        var html = #"<section id="order">"#
        if let order = model.order {
            html += orderDetails(order)
        } else if model.results.isEmpty {
            html += #"<p class="notfound">No order found for “\#(HTML.escape(model.query))”. Check the number; new orders appear within seconds.</p>"#
        }
        if model.results.count > 1 || (model.order == nil && !model.results.isEmpty) {
            html += "<h2>\(model.results.count) orders found</h2><table><thead><tr><th>Order</th><th>Channel</th><th>External id</th><th>Customer</th><th>Status</th><th>Since</th><th>Total</th></tr></thead><tbody>"
            for order in model.results {
                html += "<tr><td><a href=\"/?\(searchField)=\(HTML.queryValue(order.orderId))\">\(HTML.escape(order.orderId))</a></td>"
                    + "<td>\(HTML.escape(order.channel))</td><td>\(HTML.escape(order.externalOrderId))</td>"
                    + "<td>\(HTML.escape(order.customerId ?? "–"))</td><td>\(badge(order.status))</td>"
                    + "<td>\(time(order.statusAt))</td><td>\(HTML.escape([order.gross, order.currency].compactMap { $0 }.joined(separator: " ")))</td></tr>"
            }
            html += "</tbody></table>"
        }
        return html + "</section>"
    }

    static func orderDetails(_ order: TrackedOrder) -> String {
        var html = "<h2>Order <span id=\"order-id\">\(HTML.escape(order.orderId))</span> \(badge(order.status, id: "order-status"))</h2><dl class=\"facts\">"
        let facts: [(String, String?)] = [
            ("Channel", order.channel), ("External order id", order.externalOrderId), ("Customer", order.customerId),
            ("Region", order.region), ("Products", order.skus?.joined(separator: ", ")),
            ("Total", order.gross.map { "\($0) \(order.currency ?? "")" }), ("Requested delivery", order.requestedDeliveryDate),
            ("Priority", order.priority),
        ]
        for (name, value) in facts { if let value { html += "<dt>\(name)</dt><dd>\(HTML.escape(value))</dd>" } }
        html += "<dt>Status since</dt><dd>\(time(order.statusAt))</dd>"
        html += "</dl><h3>Timeline</h3><ol class=\"timeline\" id=\"timeline\">"
        for entry in order.timeline {
            let isStatus = entry.type == OrderStatusChanged.eventType
            html += "<li class=\"\(isStatus ? "status" : "event")\"><time datetime=\"\(HTML.escape(Timestamp.format(entry.at)))\">\(time(entry.at))</time> "
            html += isStatus ? badge(entry.status) : "<strong>\(HTML.escape(label(entry.type)))</strong>"
            if let department = entry.department, !department.isEmpty { html += " <span class=\"muted\">by \(HTML.escape(department))</span>" }
            if let note = entry.note { html += "<div>\(HTML.escape(note))</div>" }
            for reason in entry.reasons ?? [] {
                html += "<div class=\"reason\"><code>\(HTML.escape(reason.code.rawValue))</code> \(HTML.escape(reason.message))</div>"
            }
            if let details = entry.details, !details.isEmpty {
                html += "<div class=\"details\">" + details.sorted { $0.key < $1.key }
                    .map { "<span>\(HTML.escape($0.key)): \(HTML.escape($0.value))</span>" }.joined(separator: " ") + "</div>"
            }
            html += "</li>"
        }
        return html + "</ol>"
    }

    static func breachSection(_ breaches: [SLABreachRow]) -> String {
        var html = "<section id=\"sla\"><h2>SLA breaches</h2>"
        guard !breaches.isEmpty else { return html + "<p class=\"muted\">No stage has gone over its time limit.</p></section>" }
        html += "<table><thead><tr><th>When</th><th>Order</th><th>Stage</th><th>Waiting in</th><th>Limit</th></tr></thead><tbody>"
        for breach in breaches {
            html += "<tr><td>\(time(breach.at))</td><td><a href=\"/?\(searchField)=\(HTML.queryValue(breach.orderId))\">\(HTML.escape(breach.orderId))</a></td>"
                + "<td>\(HTML.escape(breach.stage))</td><td>\(badge(breach.status))</td><td>\(HTML.escape(seconds(Double(breach.limitSeconds))))</td></tr>"
        }
        return html + "</tbody></table></section>"
    }

    static func kpiSection(_ kpis: TrackingKPIs, query: String) -> String {
        let overall = kpis.overall.report
        var html = "<section id=\"kpis\"><h2>KPIs, \(HTML.escape(kpis.from)) to \(HTML.escape(kpis.to))</h2>"
        html += "<p>\(overall.orders) orders; \(overall.fulfilment.part) of \(overall.fulfilment.whole) approved orders delivered.</p><div class=\"charts\">"
        var rates = [SVGCharts.Bar]()
        rates.append(rateBar("Fulfilment", overall.fulfilment))
        rates.append(rateBar("On time", overall.onTime))
        // Regions with approved orders (a rejected order may have none known).
        for (region, figures) in kpis.byRegion.sorted(by: { $0.key < $1.key }) where figures.report.fulfilment.whole > 0 {
            guard rates.count < 10 else { break }
            rates.append(rateBar("Fulfilment · \(region)", figures.report.fulfilment))
        }
        html += "<figure><figcaption>Rates</figcaption>\(SVGCharts.bars(rates, title: "Fulfilment and on-time rates", maximum: 1))</figure>"
        let stages = KPIReport.stages.compactMap { stage in overall.stageTimes.first { $0.stage == stage.name } }
        let bars = stages.map { SVGCharts.Bar(label: $0.stage, value: $0.medianSeconds, text: "median \(seconds($0.medianSeconds))") }
        html += "<figure><figcaption>Cycle time per stage (median)</figcaption>\(SVGCharts.bars(bars, title: "Median cycle time per stage"))</figure></div>"
        html += "<form method=\"get\" action=\"/\" class=\"period\"><input type=\"hidden\" name=\"\(searchField)\" value=\"\(HTML.escape(query))\"><label>From <input type=\"date\" name=\"from\" value=\"\(HTML.escape(kpis.from))\"></label> "
            + "<label>to <input type=\"date\" name=\"to\" value=\"\(HTML.escape(kpis.to))\"></label> <button type=\"submit\">Show period</button></form>"
        return html + "</section>"
    }

    static func deadLetterSection(_ letters: [DeadLetterRow]) -> String {
        var html = "<section id=\"deadletters\"><h2>Dead letters</h2>"
        guard !letters.isEmpty else { return html + "<p class=\"muted\">No messages in the dead letter.</p></section>" }
        html += "<table><thead><tr><th>Received</th><th>Reason</th><th>From</th><th>Key</th><th>Detail</th></tr></thead><tbody>"
        for letter in letters {
            let source = [letter.service, letter.sourceTopic.map { "\($0)[\(letter.sourcePartition ?? "?")]@\(letter.sourceOffset ?? "?")" }]
                .compactMap { $0 }.joined(separator: " · ")
            html += "<tr><td>\(time(letter.receivedAt))</td><td><code>\(HTML.escape(letter.reason))</code></td><td>\(HTML.escape(source))</td>"
                + "<td>\(HTML.escape(letter.key ?? "–"))</td><td class=\"detail\">\(HTML.escape(String((letter.detail ?? "").prefix(300))))</td></tr>"
        }
        return html + "</tbody></table></section>"
    }

    static func rateBar(_ label: String, _ rate: KPIReport.Rate) -> SVGCharts.Bar {
        SVGCharts.Bar(label: label, value: rate.value ?? 0,
                      text: rate.value.map { String(format: "%.0f %% (%d/%d)", $0 * 100, rate.part, rate.whole) } ?? "no data")
    }

    static func badge(_ status: String, id: String? = nil) -> String {
        let tone: String
        switch status {
        case "rejected", "cancelled", "qc_failed", "return_refused", "overdue": tone = "bad"
        case "pending_approval", "awaiting_deposit", "backordered", "return_requested": tone = "wait"
        case "completed", "delivered", "paid", "refunded": tone = "good"
        default: tone = "info"
        }
        let idAttribute = id.map { " id=\"\($0)\"" } ?? ""
        return "<span class=\"badge \(tone)\"\(idAttribute)>\(HTML.escape(status.replacingOccurrences(of: "_", with: " ")))</span>"
    }

    static func label(_ type: String) -> String {
        switch type {
        case SLABreached.eventType: "SLA breach"
        case RequestRefused.eventType: "Request refused"
        case BillingNotice.eventType: "Billing notice"
        default: type
        }
    }

    static func time(_ date: Date) -> String {
        HTML.escape(Timestamp.format(date).replacingOccurrences(of: "T", with: " ").replacingOccurrences(of: "Z", with: " UTC"))
    }

    static func seconds(_ value: Double) -> String {
        if value >= 86_400 { return String(format: "%.1f d", value / 86_400) }
        if value >= 3600 { return String(format: "%.1f h", value / 3600) }
        if value >= 60 { return String(format: "%.1f min", value / 60) }
        return String(format: "%.1f s", value)
    }

    static let style = """
        body{font:15px/1.45 system-ui,sans-serif;margin:0;color:#1d2330;background:#f6f7f9}
        header{background:#1f3b63;color:#fff;padding:14px 24px}header h1{margin:0 0 8px;font-size:20px}
        header label{display:block;font-size:13px;opacity:.9}.row{display:flex;gap:8px;margin-top:4px}
        input[type=search]{flex:1;max-width:560px;font-size:16px;padding:7px 10px;border:0;border-radius:4px}
        button{font-size:15px;padding:7px 16px;border:0;border-radius:4px;background:#f2b400;color:#1d2330;cursor:pointer}
        main{padding:8px 24px}section{background:#fff;border:1px solid #dde1e7;border-radius:6px;padding:12px 18px;margin:14px 0}
        h2{font-size:18px;margin:4px 0 10px}h3{font-size:15px;margin:14px 0 6px}
        table{border-collapse:collapse;width:100%;font-size:14px}th,td{text-align:left;padding:5px 8px;border-bottom:1px solid #eceff3;vertical-align:top}
        .badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:13px;font-weight:600}
        .badge.good{background:#d9f2e1;color:#135c2e}.badge.bad{background:#fbdada;color:#8a1c1c}
        .badge.wait{background:#fff0c2;color:#6b4d00}.badge.info{background:#dde8f7;color:#1f3b63}
        .muted{color:#6b7482}.notfound{color:#8a1c1c;font-weight:600}
        dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:2px 14px;margin:0}dt{color:#6b7482}dd{margin:0}
        ol.timeline{list-style:none;padding:0;border-left:3px solid #1f3b63;margin-left:6px}
        ol.timeline li{padding:4px 12px 8px;position:relative}ol.timeline li:before{content:"";position:absolute;left:-8px;top:10px;width:11px;height:11px;border-radius:50%;background:#1f3b63}
        ol.timeline li.event:before{background:#f2b400}time{color:#6b7482;font-size:13px;margin-right:6px}
        .reason{color:#8a1c1c}.details{color:#4a5260;font-size:13px}.details span{margin-right:10px}
        .charts{display:flex;flex-wrap:wrap;gap:18px}figure{margin:0}figcaption{font-weight:600;margin-bottom:4px}
        svg.chart text{font:12px system-ui,sans-serif;fill:#1d2330}svg.chart .track{fill:#eceff3}svg.chart .bar{fill:#2f6db5}
        td.detail{font-size:13px;color:#4a5260;max-width:420px;word-break:break-word}footer{padding:8px 24px 24px;color:#6b7482;font-size:13px}
        """
}
