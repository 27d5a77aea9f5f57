import Foundation
import OrderModel
import Testing
import TrackingRules
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The tracking service as a sixth process against the running pipeline: its API over
/// HTTP, its page in headless Chromium, and `orderctl status`/`kpi` through it.
@Suite(.serialized) struct TrackingEndToEndTests {
    static let environment = [
        "ORDERFLOW_REVIEW_STAGE_LIMIT_SECONDS": "2",  // a pending order breaches the review limit quickly
    ]

    func get<T: Decodable>(_ pipeline: Pipeline, _ path: String, as type: T.Type) async throws -> T {
        let (status, body) = try await pipeline.http(Pipeline.tracking, path)
        #expect(status == 200, "GET \(path) → \(status): \(body.prefix(300))")
        return try OrderFlowJSON.decode(T.self, from: Data(body.utf8))
    }

    /// Polls tracking's own answer until `condition` holds (it is a consumer: it lags a little).
    func eventually(_ what: String, timeout: Duration = .seconds(60), _ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while try await !condition() {
            guard ContinuousClock.now < deadline else { throw PipelineError("timed out waiting for tracking: \(what)") }
            try await Task.sleep(for: .milliseconds(200))
        }
    }

    func orderctl(_ pipeline: Pipeline, _ arguments: [String]) throws -> (status: Int32, output: String) {
        try runProgram(pipeline.binDir.appendingPathComponent("orderctl"), arguments, environment: pipeline.baseEnvironment,
                       in: DeploymentFilesTests.root)
    }

    @Test func apiPageAndOrderctlAgainstTheRunningPipeline() async throws {
        try await Pipeline.run(environment: Self.environment, services: Pipeline.services + [Pipeline.tracking]) { pipeline in
            let feed = pipeline.feed
            try await pipeline.receiveDemoStock()
            try await pipeline.submit([
                Submissions.valid("TRK-1", customer: "C-1001", requestedDeliveryDate: "2099-12-31"),
                Submissions.valid("TRK-2", customer: "C-1001", lines: [("VALVE-DN50", 2, "860.00")]),
                Submissions.valid("TRK-BAD", customer: "C-9999"),
                Submissions.valid("TRK-BIG", customer: "C-1003", lines: [("MOTOR-7K5", 20, "5980.00")]),
            ])
            // Something for the dead letter: not JSON on review's inbox.
            try await pipeline.sendRaw(Array("not json <b>at all</b>".utf8), to: .review, key: "TRK-JUNK")
            try await EndToEndTests.driveToCompletion(pipeline, externals: ["TRK-1", "TRK-2"], timeout: .seconds(120))
            let id = try #require(feed.orderId(external: "TRK-1"))
            let second = try #require(feed.orderId(external: "TRK-2"))

            // GET /orders/{id}: the full timeline, the same status changes the feed carried.
            try await eventually("\(id) completed") {
                (try? await get(pipeline, "/orders/\(id)", as: TrackedOrder.self).status) == "completed"
            }
            let order = try await get(pipeline, "/orders/\(id)", as: TrackedOrder.self)
            let published = feed.statusChanges().filter { $0.orderId == id }.sorted { $0.at < $1.at }.map(\.status.rawValue)
            #expect(order.timeline.filter { $0.type == OrderStatusChanged.eventType }.map(\.status) == published)
            #expect(order.customerId == "C-1001" && order.skus == ["PUMP-200"] && order.requestedDeliveryDate == "2099-12-31")
            #expect(order.channel == "e2e-shop" && order.externalOrderId == "TRK-1" && order.gross != nil)
            let (missing, _) = try await pipeline.http(Pipeline.tracking, "/orders/SO-1999-000001")
            #expect(missing == 404)

            // Lookups by channel + external id, customer (paged) and status.
            let byExternal = try await get(pipeline, "/orders?channel=e2e-shop&externalOrderId=TRK-1", as: Page<OrderSummary>.self)
            #expect(byExternal.items.map(\.orderId) == [id.rawValue])
            let byExternalId = try await get(pipeline, "/orders?externalOrderId=TRK-2", as: Page<OrderSummary>.self)
            #expect(byExternalId.items.map(\.orderId) == [second.rawValue])
            let firstPage = try await get(pipeline, "/orders?customerId=C-1001&limit=1", as: Page<OrderSummary>.self)
            let cursor = try #require(firstPage.nextCursor)
            let secondPage = try await get(pipeline, "/orders?customerId=C-1001&limit=1&cursor=\(cursor)", as: Page<OrderSummary>.self)
            #expect(Set(firstPage.items.map(\.orderId) + secondPage.items.map(\.orderId)) == [id.rawValue, second.rawValue])
            let completed = try await get(pipeline, "/orders?status=completed", as: Page<OrderSummary>.self)
            #expect(Set(completed.items.map(\.orderId)).isSuperset(of: [id.rawValue, second.rawValue]))
            let rejected = try #require(feed.orderId(external: "TRK-BAD"))
            let bad = try await get(pipeline, "/orders/\(rejected)", as: TrackedOrder.self)
            #expect(bad.status == "rejected" && bad.timeline.first?.reasons?.contains { $0.code == .unknownCustomer } == true)

            // SLA breaches (the big order waits for a reviewer), KPIs, dead letters.
            try await eventually("the review SLA breach") {
                try await get(pipeline, "/sla-breaches", as: Page<SLABreachRow>.self).items.contains { $0.stage == "review" }
            }
            let kpis = try await get(pipeline, "/kpis", as: TrackingKPIs.self)
            #expect(kpis.overall.report.orders >= 4 && kpis.overall.report.fulfilment.part >= 2)
            #expect(kpis.byCustomer["C-1001"]?.report.fulfilment == .init(part: 2, whole: 2))
            #expect(kpis.byProduct["VALVE-DN50"]?.report.orders == 1 && kpis.byRegion.keys.contains("East"))
            let (badPeriod, _) = try await pipeline.http(Pipeline.tracking, "/kpis?from=2026-13-01")
            #expect(badPeriod == 400)
            try await eventually("the dead letter") {
                try await get(pipeline, "/deadletters", as: Page<DeadLetterRow>.self).items
                    .contains { $0.reason == "not_json" && $0.key == "TRK-JUNK" && $0.sourceTopic == "e2e.orders.review" }
            }

            // The page in headless Chromium: the form submits /?q=…; the result shows the timeline.
            let base = "http://127.0.0.1:\(pipeline.port(Pipeline.tracking))"
            let chromium = try Chromium()
            let home = try chromium.dumpDOM(base + "/")
            #expect(home.contains(#"<form method="get" action="/" role="search" id="search">"#) && home.contains(#"name="q""#), "\(home.prefix(2000))")
            let searched = try chromium.dumpDOM(base + "/?q=\(id)")
            #expect(searched.contains(#"<span id="order-id">\#(id)</span>"#), "\(searched.prefix(3000))")
            #expect(searched.contains(#"id="timeline""#) && searched.contains(">completed</span>") && searched.contains(">received</span>"))
            #expect(searched.contains("<svg") && searched.contains("not_json") && searched.contains("review"))
            let byPlatformId = try chromium.dumpDOM(base + "/?q=TRK-2")
            #expect(byPlatformId.contains(#"<span id="order-id">\#(second)</span>"#), "\(byPlatformId.prefix(3000))")
            let byCustomer = try chromium.dumpDOM(base + "/?q=C-1001")
            #expect(byCustomer.contains("orders found") && byCustomer.contains(second.rawValue))
            let shot = try chromium.screenshot(base + "/?q=\(id)")
            print("tracking page screenshot: \(shot.path)")
            let png = try Data(contentsOf: shot)
            #expect(png.count > 10_000 && png.prefix(4) == Data([0x89, 0x50, 0x4E, 0x47]))

            // orderctl uses the API and says so; without it, it reads the topic and says that.
            let status = try orderctl(pipeline, ["status", id.rawValue])
            #expect(status.status == 0 && status.output.contains("source: tracking service") && status.output.contains("→ completed"), "\(status.output)")
            let byPair = try orderctl(pipeline, ["status", "e2e-shop:TRK-2"])
            #expect(byPair.status == 0 && byPair.output.contains("source: tracking service") && byPair.output.contains(second.rawValue), "\(byPair.output)")
            let kpi = try orderctl(pipeline, ["kpi"])
            #expect(kpi.status == 0 && kpi.output.contains("source: tracking service") && kpi.output.contains("fulfilment rate"), "\(kpi.output)")
            let topic = try orderctl(pipeline, ["status", id.rawValue, "--tracking-url", "none"])
            #expect(topic.status == 0 && topic.output.contains("source: orders.status topic") && topic.output.contains("→ completed"), "\(topic.output)")

            // Killed and started again, tracking keeps its store and adds nothing twice.
            let before = order.timeline.count
            _ = await pipeline.stopService(Pipeline.tracking, signal: SIGKILL)
            try pipeline.startService(Pipeline.tracking)
            try await pipeline.waitReady(Pipeline.tracking)
            let again = try await get(pipeline, "/orders/\(id)", as: TrackedOrder.self)
            #expect(again.timeline.count == before && again.status == "completed")
        }
    }
}

/// Debian's headless Chromium (scripts/setup.sh installs it), for the page tests.
struct Chromium {
    let executable: URL
    let profile: URL
    /// Where screenshots are kept (a test artifact; the path is printed).
    static let artifacts = FileManager.default.temporaryDirectory.appendingPathComponent("orderflow-test-artifacts")

    init() throws {
        let candidates = ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        guard let path = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw PipelineError("chromium is not installed (scripts/setup.sh installs Debian's chromium)")
        }
        executable = URL(fileURLWithPath: path)
        profile = FileManager.default.temporaryDirectory.appendingPathComponent("orderflow-chromium-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: Self.artifacts, withIntermediateDirectories: true)
    }

    private var flags: [String] {
        ["--headless", "--disable-gpu", "--no-sandbox", "--no-first-run", "--disable-dev-shm-usage", "--user-data-dir=\(profile.path)"]
    }

    /// The page's DOM after loading `url`.
    func dumpDOM(_ url: String) throws -> String {
        let (status, output) = try runProgram(executable, flags + ["--dump-dom", url])
        guard status == 0 else { throw PipelineError("chromium --dump-dom \(url) exited \(status): \(output.suffix(1000))") }
        return output
    }

    /// A screenshot of `url`, kept under `artifacts`.
    func screenshot(_ url: String, name: String = "tracking-page.png") throws -> URL {
        let file = Self.artifacts.appendingPathComponent(name)
        try? FileManager.default.removeItem(at: file)
        let (status, output) = try runProgram(executable, flags + ["--hide-scrollbars", "--window-size=1280,1700", "--screenshot=\(file.path)", url])
        guard status == 0, FileManager.default.fileExists(atPath: file.path) else {
            throw PipelineError("chromium --screenshot \(url) exited \(status): \(output.suffix(1000))")
        }
        return file
    }
}
