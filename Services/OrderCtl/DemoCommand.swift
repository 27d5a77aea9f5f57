import ArgumentParser
import DemoKit
import Foundation
import Kafka
import OrderModel

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
        _ = try await producer.send(try submissions.map { submission in
            KafkaOutgoingMessage(topic: connection.topics.name(.submitted), key: Array("\(submission.channel!):\(submission.externalOrderId!)".utf8),
                                 value: Array(try OrderFlowJSON.encoder.encode(submission)))
        })
        say("submitted \(orders) orders (run \(run)); watch them with: orderctl tail orders.status")
        guard let statusReader else { await producer.shutdown(); return }

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
                guard let value = message.value, let event = try? EventRegistry.standard.decode(value),
                      let change = event.payload as? OrderStatusChanged else { continue }
                let ours = change.externalOrderId.hasPrefix(run + "-")
                guard ours || keepPaying else { continue }
                if change.status == .invoiced, pay || keepPaying, !paid.contains(change.orderId.rawValue),
                   let amountText = change.details?["amount"], let amount = ExactDecimal.parse(amountText) {
                    paid.insert(change.orderId.rawValue)
                    payments += Self.payments(for: change.orderId, amount: amount, currency: change.details?["currency"] ?? "CNY")
                }
                if ours, change.status.isFinal { finals[change.orderId.rawValue] = change.status }
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
        say(summary(finals, since: started))
        await producer.shutdown()
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
