import ArgumentParser
import DemoKit
import Foundation
import Kafka
import OrderModel
import Synchronization

/// `orderctl demo --orders N`: submits realistic orders generated from the demo master
/// data and, with `--pay`, plays the customers paying their invoices, so the orders run
/// through to `completed`. Prints progress and the throughput it measured.
struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Submit N generated orders; optionally pay their invoices and wait until they are done.")

    @OptionGroup var connection: ConnectionOptions
    @Option(help: "How many orders.") var orders = 20
    @Option(help: "Folder with products.json and customers.json.") var masterdata = "deploy/masterdata"
    @Flag(help: "Pay each order's invoice when it is issued (full amount, sometimes in two parts).") var pay = false
    @Flag(help: "Wait until every order of this run is completed, rejected or cancelled.") var wait = false
    @Flag(help: "After this run, keep paying every invoice that appears (for `make run`).") var keepPaying = false
    @Option(help: "Give up waiting after this many seconds.") var timeout = 600.0
    @Option(help: "Run id (prefix of the external order ids); default DEMO-<time>.") var runId: String?
    @Option(help: "Largest order value (tax included) to generate.") var maxOrderValue = 80_000.0
    @Option(help: "Submit at this many orders per second (0: all at once). With --wait, latencies are reported.")
    var rate = 0.0
    @Option(help: "With --wait: write the run's figures (orders, seconds, orders/s, latency percentiles) as JSON to this file.")
    var resultFile: String?

    func run() async throws {
        let folder = URL(fileURLWithPath: masterdata)
        var data = try MasterDataFile.read(folder.appendingPathComponent("products.json"))
        data.merge(try MasterDataFile.read(folder.appendingPathComponent("customers.json")))
        let run = runId ?? "DEMO-\(Int(Date().timeIntervalSince1970))"
        let generator = DemoOrderGenerator(products: data.products, customers: data.customers, maxOrderValue: Decimal(maxOrderValue))
        let now = Date()
        let submissions = (0..<orders).map { generator.submission(index: $0, runId: run, now: now) }

        let producer = try connection.producer()
        // Start reading the status feed before submitting, so nothing is missed.
        let statusReader = pay || wait || keepPaying ? try connection.reader([.status]) : nil
        let started = Date()
        let messages = try submissions.map { submission in
            KafkaOutgoingMessage(topic: connection.topics.name(.submitted), key: Array("\(submission.channel!):\(submission.externalOrderId!)".utf8),
                                 value: Array(try OrderFlowJSON.encoder.encode(submission)))
        }
        let clock = SubmissionClock()
        let submitting = Task { [rate] in
            try await Self.submit(messages, ids: submissions.map { $0.externalOrderId! }, rate: rate, producer: producer, clock: clock)
        }
        if rate <= 0 {
            try await submitting.value
            say("submitted \(orders) orders (run \(run)); watch them with: orderctl tail orders.status")
        } else {
            say("submitting \(orders) orders at \(rate) orders/s (run \(run)); watch them with: orderctl tail orders.status")
        }
        guard let statusReader else { try await submitting.value; await producer.shutdown(); return }
        var latencies: [Double] = []

        let payer = EventSender(producer: producer, topics: connection.topics, source: "/orderctl/demo-customer")
        var finals: [String: OrderStatus] = [:]
        var paid: Set<String> = []
        var lastReport = Date()
        var announced = false
        let deadline = Date().addingTimeInterval(timeout)
        // poll (not batches) so that the deadline is checked also when nothing arrives.
        while let batch = try await statusReader.poll(maxMessages: 1000, maxWait: .milliseconds(100)) {
            var payments: [(PaymentReceived, id: String)] = []
            for message in batch {
                guard let value = message.value, let (_, payload) = try? EventRegistry.standard.decodeForProcessing(Data(value)),
                      let change = payload as? OrderStatusChanged else { continue }
                let ours = change.externalOrderId.hasPrefix(run + "-")
                guard ours || keepPaying else { continue }
                if change.status == .invoiced, pay || keepPaying, !paid.contains(change.orderId.rawValue),
                   let amountText = change.details?["amount"], let amount = ExactDecimal.parse(amountText) {
                    paid.insert(change.orderId.rawValue)
                    payments += Self.payments(for: change.orderId, amount: amount, currency: change.details?["currency"] ?? "CNY")
                }
                if ours, change.status.isFinal, finals.updateValue(change.status, forKey: change.orderId.rawValue) == nil,
                   change.status == .completed, let submitted = clock.time(of: change.externalOrderId) {
                    latencies.append(Date().timeIntervalSince(submitted))
                }
            }
            // One round trip for all the payments of a batch of status events.
            try await payer.send(payments.map { ($0.0, $0.0.orderId.rawValue, $0.id) }, to: .billing)
            if finals.count >= orders {
                if !keepPaying { break }
                if !announced {
                    announced = true
                    say(summary(finals, since: started) + "; still paying new invoices (Ctrl-C stops)")
                }
            } else if Date().timeIntervalSince(lastReport) >= 2 {
                lastReport = Date()
                say("progress: \(finals.count)/\(orders) orders finished")
            }
            if Date() > deadline && !keepPaying {
                say("gave up waiting after \(Int(timeout)) s: \(finals.count)/\(orders) orders finished")
                throw ExitCode(1)
            }
        }
        let elapsed = Date().timeIntervalSince(started)
        try await submitting.value
        say(summary(finals, since: started))
        let figures = RunFigures(orders: orders, finished: finals.count, seconds: elapsed, latencies: latencies)
        if rate > 0 { say(figures.latencyLine) }
        if let resultFile { try figures.json().write(to: URL(fileURLWithPath: resultFile)) }
        await producer.shutdown()
    }

    /// Sends the submissions, all at once or paced at `rate` per second (in 10 ms steps),
    /// noting when each order was handed to the broker.
    static func submit(_ messages: [KafkaOutgoingMessage], ids: [String], rate: Double, producer: KafkaProducer,
                       clock: SubmissionClock) async throws {
        guard rate > 0 else {
            clock.record(ids, at: Date())
            _ = try await producer.send(messages)
            return
        }
        let start = ContinuousClock.now
        var sent = 0
        while sent < messages.count {
            let due = min(messages.count, Int((start.duration(to: .now) / .seconds(1)) * rate) + 1)
            if due > sent {
                clock.record(Array(ids[sent..<due]), at: Date())
                _ = try await producer.send(Array(messages[sent..<due]))
                sent = due
            }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    /// `done: 48 completed, 2 rejected in 9.8 s (5.1 orders/s end to end)`.
    private func summary(_ finals: [String: OrderStatus], since started: Date) -> String {
        let elapsed = Date().timeIntervalSince(started)
        let byStatus = Dictionary(grouping: finals.values, by: \.rawValue).mapValues(\.count).sorted { $0.key < $1.key }
        return "done: \(byStatus.map { "\($0.value) \($0.key)" }.joined(separator: ", ")) in \(String(format: "%.1f", elapsed)) s "
            + "(\(String(format: "%.1f", Double(finals.count) / max(elapsed, 0.001))) orders/s end to end)"
    }

    /// Pays in full, or in two parts for every third order (shows partial payments).
    static func payments(for orderId: OrderID, amount: Decimal, currency: String) -> [(PaymentReceived, id: String)] {
        let split = orderId.rawValue.last.map { Int(String($0)) ?? 0 }.map { $0 % 3 == 0 } ?? false
        let parts = split ? [ExactDecimal.round(amount / 2, scale: 2)] : []
        let rest = amount - parts.reduce(0, +)
        return (parts + [rest]).enumerated().map { index, part in
            (PaymentReceived(orderId: orderId, amount: DecimalString(part), currency: currency, reference: "DEMO-PAY-\(orderId)-\(index + 1)"),
             id: "demo-payment-\(orderId)-\(index + 1)")
        }
    }
}

/// When each order of a run was submitted (written by the submitting task, read by the
/// status reader).
final class SubmissionClock: Sendable {
    private let times = Mutex<[String: Date]>([:])
    func record(_ ids: [String], at time: Date) { times.withLock { for id in ids { $0[id] = time } } }
    func time(of id: String) -> Date? { times.withLock { $0[id] } }
}

/// The figures of one demo run, for `make bench`.
struct RunFigures {
    var orders: Int
    var finished: Int
    var seconds: Double
    /// Submission → `completed`, seconds, in arrival order.
    var latencies: [Double]

    func percentile(_ p: Double) -> Double? {
        guard !latencies.isEmpty else { return nil }
        let sorted = latencies.sorted()
        return sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)]
    }

    var latencyLine: String {
        func ms(_ value: Double?) -> String { value.map { String(format: "%.0f ms", $0 * 1000) } ?? "n/a" }
        return "latency submission → completed: p50 \(ms(percentile(0.5))), p95 \(ms(percentile(0.95))), p99 \(ms(percentile(0.99)))"
    }

    func json() throws -> Data {
        var object: [String: Double] = ["orders": Double(orders), "finished": Double(finished), "seconds": seconds,
                                        "ordersPerSecond": Double(finished) / max(seconds, 0.001)]
        for (name, p) in [("p50", 0.5), ("p95", 0.95), ("p99", 0.99)] { object["latency_\(name)_ms"] = percentile(p).map { $0 * 1000 } }
        return try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
    }
}
