import DemoKit
import Foundation
import OrderModel
import Testing
@testable import TrackingRules
@testable import TrackingWeb

@Suite("Tracking web page")
struct TrackingPageTests {
    func model(query: String, feed: Feed) throws -> TrackingPage.Model {
        let results = try TrackingQueries.search(query, in: feed.state)
        let order = results.count == 1 ? try TrackingQueries.order(results[0].orderId, in: feed.state) : nil
        let day = LocalDate(Feed.start)
        return TrackingPage.Model(query: query, results: results, order: order,
                                  breaches: try TrackingQueries.slaBreaches(after: nil, limit: 20, in: feed.state).items,
                                  kpis: try TrackingQueries.kpis(from: day, to: day, in: feed.state),
                                  deadLetters: try TrackingQueries.deadLetters(after: nil, limit: 20, in: feed.state).items)
    }

    @Test("text that came from outside is escaped everywhere it is shown")
    func escaping() throws {
        let feed = Feed()
        try feed.status(1, .rejected, after: 0, reasons: [Reason("invalid_submission", "<script>alert('x')</script>")],
                        channel: "<img src=x onerror=alert(1)>")
        let html = TrackingPage.render(try model(query: "SO-2026-000001", feed: feed))
        #expect(!html.contains("<script>alert"))
        #expect(!html.contains("<img src=x"))
        #expect(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"))
        let search = TrackingPage.render(try model(query: "\"><b>x</b>", feed: feed))
        #expect(!search.contains("<b>x</b>") && search.contains("&quot;&gt;&lt;b&gt;x&lt;/b&gt;"))
        #expect(HTML.escape("a&b\u{01}") == "a&amp;b\u{FFFD}")
    }

    @Test("the search form submits /?q=…, and a found order shows its timeline")
    func orderTimeline() throws {
        let feed = Feed()
        try feed.received(1)
        try feed.status(1, .approved, after: 10)
        let html = TrackingPage.render(try model(query: "SO-2026-000001", feed: feed))
        #expect(html.contains(#"<form method="get" action="/" role="search""#) && html.contains(#"name="q""#))
        #expect(html.contains(#"<span id="order-id">SO-2026-000001</span>"#))
        #expect(html.contains(#"id="timeline""#) && html.contains(">received</span>") && html.contains(">approved</span>"))
        #expect(html.contains("<svg class=\"chart\""))
    }

    @Test("a customer with several orders gets a list linking to each; an unknown search says so")
    func listsAndMisses() throws {
        let feed = Feed()
        try feed.received(1, customer: "C-7")
        try feed.received(2, customer: "C-7")
        let list = TrackingPage.render(try model(query: "C-7", feed: feed))
        #expect(list.contains("2 orders found") && list.contains(#"href="/?q=SO-2026-000002""#))
        let miss = TrackingPage.render(try model(query: "SO-1999-000001", feed: feed))
        #expect(miss.contains("No order found"))
    }

    @Test("charts: one bar per value, scaled to the maximum")
    func charts() {
        let svg = SVGCharts.bars([.init(label: "a", value: 1, text: "1"), .init(label: "b", value: 0.5, text: "0.5")], title: "t", maximum: 1)
        #expect(svg.components(separatedBy: #"class="bar""#).count == 3)
        #expect(svg.contains(#"width="240.0""#) && svg.contains(#"width="120.0""#))
        #expect(SVGCharts.bars([], title: "t").contains("no data"))
    }
}
