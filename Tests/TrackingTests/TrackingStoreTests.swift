import DepartmentKit
import Foundation
import OrderModel
import Testing
@testable import TrackingRules

/// Status events as the departments publish them, fed to the tracking projection.
struct Feed {
    let rules = TrackingRules()
    let state = InMemoryStateStore()
    static let start = Date(timeIntervalSince1970: 1_796_000_000)  // 2026-11-30T...

    func ref(_ n: Int, channel: String = "shop") -> OrderRef {
        OrderRef(orderId: OrderID(rawValue: "SO-2026-\(String(format: "%06d", n))"), channel: channel, externalOrderId: "EXT-\(n)")
    }

    @discardableResult
    func status(_ n: Int, _ status: OrderStatus, after seconds: Double, details: [String: String]? = nil, reasons: [Reason]? = nil,
                id: String? = nil, channel: String = "shop") throws -> HandlerOutcome {
        let change = OrderStatusChanged(ref: ref(n, channel: channel), status: status, reasons: reasons, department: "test",
                                        at: Self.start.addingTimeInterval(seconds), details: details)
        return try rules.handle(InboundEvent(change, id: id ?? "\(n)-\(status)-\(seconds)"), state: state,
                                context: HandlerContext(now: Self.start))
    }

    func received(_ n: Int, customer: String = "C-1001", region: String = "East", skus: String = "PUMP-200", requested: String? = nil,
                  after seconds: Double = 0) throws {
        var details = ["customerId": customer, "region": region, "skus": skus, "gross": "1333.40", "currency": "CNY", "priority": "normal"]
        if let requested { details["requestedDeliveryDate"] = requested }
        try status(n, .received, after: seconds, details: details)
    }

    func order(_ n: Int) throws -> TrackedOrder? { try TrackingQueries.order(ref(n).orderId.rawValue, in: state) }
    func ids(_ page: Page<OrderSummary>) -> [String] { page.items.map(\.orderId) }
}

@Suite("Tracking store: the projection of orders.status")
struct TrackingStoreTests {
    @Test("an order's timeline follows its status changes, with reasons, details and the summary from received")
    func timeline() throws {
        let feed = Feed()
        try feed.received(1, requested: "2026-12-05")
        try feed.status(1, .approved, after: 10)
        try feed.status(1, .shipped, after: 30, details: ["carrier": "SF", "trackingNumber": "STD1"])
        let order = try #require(try feed.order(1))
        #expect(order.status == "shipped")
        #expect(order.timeline.map(\.status) == ["received", "approved", "shipped"])
        #expect(order.timeline.last?.details?["trackingNumber"] == "STD1")
        #expect(order.customerId == "C-1001" && order.region == "East" && order.skus == ["PUMP-200"] && order.gross == "1333.40")
        #expect(order.requestedDeliveryDate == "2026-12-05")
    }

    @Test("a late event goes to its place in time; the current status is the latest by time")
    func outOfOrder() throws {
        let feed = Feed()
        try feed.received(1)
        try feed.status(1, .shipped, after: 30)
        try feed.status(1, .approved, after: 10)
        let order = try #require(try feed.order(1))
        #expect(order.timeline.map(\.status) == ["received", "approved", "shipped"])
        #expect(order.status == "shipped")
        #expect(try feed.ids(TrackingQueries.orders(.status("shipped"), after: nil, limit: 10, in: feed.state)) == ["SO-2026-000001"])
        #expect(try TrackingQueries.orders(.status("approved"), after: nil, limit: 10, in: feed.state).items.isEmpty)
    }

    @Test("the same event id twice is in the timeline once")
    func repeatedEvent() throws {
        let feed = Feed()
        try feed.received(1)
        try feed.status(1, .approved, after: 10, id: "same")
        try feed.status(1, .approved, after: 10, id: "same")
        #expect(try feed.order(1)?.timeline.count == 2)
    }

    @Test("rejections keep their reasons; tracking publishes nothing")
    func rejection() throws {
        let feed = Feed()
        let outcome = try feed.status(2, .rejected, after: 0, reasons: [Reason(.unknownCustomer, "no customer C-9")])
        #expect(outcome.events.isEmpty)
        let order = try #require(try feed.order(2))
        #expect(order.status == "rejected" && order.timeline.first?.reasons?.first?.code == .unknownCustomer)
    }

    @Test("indexes: by channel and external id, by customer, by status, moved as the status changes")
    func indexes() throws {
        let feed = Feed()
        try feed.received(1, customer: "C-1")
        try feed.received(2, customer: "C-2")
        try feed.received(3, customer: "C-1")
        try feed.status(3, .approved, after: 5)
        let state = feed.state
        #expect(try feed.ids(TrackingQueries.orders(.external(channel: "shop", externalOrderId: "EXT-2"), after: nil, limit: 10, in: state))
            == ["SO-2026-000002"])
        #expect(try feed.ids(TrackingQueries.orders(.customer("C-1"), after: nil, limit: 10, in: state)) == ["SO-2026-000001", "SO-2026-000003"])
        #expect(try feed.ids(TrackingQueries.orders(.status("received"), after: nil, limit: 10, in: state)) == ["SO-2026-000001", "SO-2026-000002"])
        #expect(try feed.ids(TrackingQueries.orders(.status("approved"), after: nil, limit: 10, in: state)) == ["SO-2026-000003"])
        #expect(try TrackingQueries.orders(.customer("C-9"), after: nil, limit: 10, in: state).items.isEmpty)
    }

    @Test("pages: limit and cursor walk an index without repeats or gaps")
    func paging() throws {
        let feed = Feed()
        for n in 1...7 { try feed.received(n) }
        var seen: [String] = []
        var cursor: String?
        var pages = 0
        repeat {
            let page = try TrackingQueries.orders(.status("received"), after: cursor, limit: 3, in: feed.state)
            seen += feed.ids(page)
            cursor = page.nextCursor
            pages += 1
        } while cursor != nil && pages < 10
        #expect(pages == 3)
        #expect(seen == (1...7).map { "SO-2026-\(String(format: "%06d", $0))" })
    }

    @Test("search: an order id, channel:external id, the external id alone, or a customer id")
    func search() throws {
        let feed = Feed()
        try feed.received(1, customer: "C-1")
        try feed.received(2, customer: "C-1")
        #expect(try TrackingQueries.search("SO-2026-000002", in: feed.state).map(\.orderId) == ["SO-2026-000002"])
        #expect(try TrackingQueries.search(" so-2026-000001 ", in: feed.state).map(\.orderId) == ["SO-2026-000001"])
        #expect(try TrackingQueries.search("shop:EXT-1", in: feed.state).map(\.orderId) == ["SO-2026-000001"])
        #expect(try TrackingQueries.search("C-1", in: feed.state).count == 2)
        #expect(try TrackingQueries.search("shop EXT-2", in: feed.state).map(\.orderId) == ["SO-2026-000002"])
        #expect(try TrackingQueries.search("EXT-2", in: feed.state).map(\.orderId) == ["SO-2026-000002"])
        #expect(try TrackingQueries.search("nothing", in: feed.state).isEmpty)
    }

    @Test("SLA breaches are listed newest first and appear in the order's timeline")
    func slaBreaches() throws {
        let feed = Feed()
        try feed.received(1)
        for (n, seconds) in [(1, 100.0), (2, 300.0)] {
            let breach = SLABreached(ref: feed.ref(n), stage: "review", status: .pendingApproval, since: Feed.start, limitSeconds: 60,
                                     department: "review", at: Feed.start.addingTimeInterval(seconds))
            _ = try feed.rules.handle(InboundEvent(breach, id: "b\(n)"), state: feed.state, context: HandlerContext(now: Feed.start))
        }
        let page = try TrackingQueries.slaBreaches(after: nil, limit: 10, in: feed.state)
        #expect(page.items.map(\.orderId) == ["SO-2026-000002", "SO-2026-000001"])
        #expect(try feed.order(1)?.timeline.last?.type == SLABreached.eventType)
        #expect(try feed.order(1)?.status == "received")
        // An order first heard of through a breach takes the status the breach names.
        #expect(try feed.order(2)?.status == "pending_approval")
    }

    @Test("dead letters: recorded once per position, listed newest first, with reason and source from the headers")
    func deadLetters() throws {
        let state = InMemoryStateStore()
        // Offset 1 is delivered twice (a re-delivery after a crash): recorded once.
        var recorded: [Bool] = []
        for offset in [0, 1, 1, 2] {
            recorded.append(try TrackingStore.recordDeadLetter(at: "orders.deadletter/0/\(offset)", in: state) {
                DeadLetterRow(sequence: $0, receivedAt: Feed.start, topic: "orders.deadletter", partition: 0, offset: Int64(offset),
                              key: Array("k\(offset)".utf8), value: Array("not json <b>".utf8),
                              headers: ["reason": "not_json", "service": "review", "source.topic": "orders.review"])
            })
        }
        #expect(recorded == [true, true, false, true])
        #expect(try state.loadAllRaw(kind: TrackingStore.deadLetters).count == 3)
        let page = try TrackingQueries.deadLetters(after: nil, limit: 2, in: state)
        #expect(page.items.map(\.offset) == [2, 1])
        #expect(page.items.first?.reason == "not_json" && page.items.first?.service == "review" && page.items.first?.bytes == 12)
        let rest = try TrackingQueries.deadLetters(after: page.nextCursor, limit: 2, in: state)
        #expect(rest.items.map(\.offset) == [0] && rest.nextCursor == nil)
    }

    @Test("KPIs over a period, overall and by region, customer and product, as KPIReport computes them")
    func kpis() throws {
        let feed = Feed()
        // Order 1: East, delivered on time; order 2: West, approved but not delivered; order 3: before the period.
        try feed.received(1, customer: "C-1", region: "East", skus: "PUMP-200,VALVE-DN50", requested: "2026-12-31")
        try feed.status(1, .approved, after: 60)
        try feed.status(1, .delivered, after: 3600)
        try feed.received(2, customer: "C-2", region: "West", skus: "PUMP-200")
        try feed.status(2, .approved, after: 120)
        try feed.received(3, customer: "C-1", region: "East", after: -10 * 86_400)
        let day = LocalDate(Feed.start)
        let kpis = try TrackingQueries.kpis(from: day.adding(days: -1), to: day.adding(days: 1), in: feed.state)
        #expect(kpis.overall.report.orders == 2)
        #expect(kpis.overall.report.fulfilment == .init(part: 1, whole: 2))
        #expect(kpis.overall.fulfilmentRate == 0.5)
        #expect(kpis.overall.report.onTime == .init(part: 1, whole: 1))
        #expect(kpis.byRegion["East"]?.report.fulfilment == .init(part: 1, whole: 1))
        #expect(kpis.byRegion["West"]?.report.fulfilment == .init(part: 0, whole: 1))
        #expect(kpis.byCustomer["C-1"]?.report.orders == 1)
        #expect(kpis.byProduct["PUMP-200"]?.report.orders == 2 && kpis.byProduct["VALVE-DN50"]?.report.orders == 1)
        // received → approved took 60 s and 120 s (KPIReport's median is the upper middle).
        #expect(kpis.overall.report.stageTimes.first { $0.stage == "review" } == .init(stage: "review", medianSeconds: 120, p95Seconds: 120, orders: 2))
        #expect(kpis.byRegion["East"]?.report.stageTimes.first { $0.stage == "review" }?.medianSeconds == 60)
        let wider = try TrackingQueries.kpis(from: day.adding(days: -20), to: day, in: feed.state)
        #expect(wider.overall.report.orders == 3)
    }
}
