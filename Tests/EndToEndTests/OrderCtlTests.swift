import Foundation
import OrderModel
import Testing

/// `orderctl`, run as a process against the running pipeline, the way an operator uses it.
@Suite(.serialized) struct OrderCtlTests {
    func orderctl(_ pipeline: Pipeline, _ arguments: [String]) throws -> (status: Int32, output: String) {
        try runProgram(pipeline.binDir.appendingPathComponent("orderctl"), arguments, environment: pipeline.baseEnvironment,
                       in: DeploymentFilesTests.root)
    }

    @Test func operatorCommandsAgainstTheRunningPipeline() async throws {
        try await Pipeline.run { pipeline in
            // Topics already exist: creating them again is fine and says so.
            let topics = try orderctl(pipeline, ["topics", "create", "--partitions", "3"])
            #expect(topics.status == 0 && topics.output.contains("e2e.orders.status: alreadyExisted"), "\(topics.output)")

            let stock = try orderctl(pipeline, ["stock", "receive", "deploy/masterdata/stock.json"])
            #expect(stock.status == 0 && stock.output.contains("posted 10 stock receipts"), "\(stock.output)")

            let file = pipeline.workDir.appendingPathComponent("order.json")
            try OrderFlowJSON.encoder.encode([Submissions.valid("CTL-1")]).write(to: file)
            let submit = try orderctl(pipeline, ["submit", file.path])
            #expect(submit.status == 0 && submit.output.contains("submitted 1 order(s)"), "\(submit.output)")
            try await pipeline.feed.wait(timeout: .seconds(30), "CTL-1 received") { pipeline.feed.orderId(external: "CTL-1") != nil }
            let orderId = try #require(pipeline.feed.orderId(external: "CTL-1"))

            // A mistake is caught before anything is sent.
            let bad = try orderctl(pipeline, ["send", "payment.received", #"{"orderId":"\#(orderId)","amount":12.5,"currency":"CNY","reference":"r"}"#])
            #expect(bad.status != 0 && bad.output.contains("payment.received data is invalid"), "\(bad.output)")

            let demo = try orderctl(pipeline, ["demo", "--orders", "5", "--pay", "--wait", "--timeout", "120", "--max-order-value", "5000"])
            #expect(demo.status == 0 && demo.output.contains("done: 5 completed"), "\(demo.output)")

            let status = try orderctl(pipeline, ["status", orderId.rawValue])
            #expect(status.status == 0 && status.output.contains("→ received"), "\(status.output)")
            let unknown = try orderctl(pipeline, ["status", "SO-1999-000001"])
            #expect(unknown.status != 0 && unknown.output.contains("no status events"))

            let tail = try orderctl(pipeline, ["tail", "orders.status", "--no-follow"])
            #expect(tail.status == 0 && tail.output.contains("order.status-changed") && tail.output.contains("CTL-1"), "\(tail.output)")

            let kpi = try orderctl(pipeline, ["kpi"])
            #expect(kpi.status == 0 && kpi.output.contains("fulfilment rate (delivered / approved)"), "\(kpi.output)")
        }
    }
}
