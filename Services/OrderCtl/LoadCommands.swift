import ArgumentParser
import DemoKit
import Foundation
import Kafka
import OrderModel

/// `orderctl masterdata load FILE…`: publishes products and customers to the compacted
/// master-data topics (key = SKU / customer id); `--delete` publishes tombstones.
struct MasterData: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "masterdata", abstract: "Publish master data.", subcommands: [Load.self])

    struct Load: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Publish products and customers from JSON files (arrays of records, or {\"products\": […], \"customers\": […]}).")

        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "JSON files.") var files: [String]

        func run() async throws {
            var data = MasterDataFile()
            for file in files { data.merge(try MasterDataFile.read(URL(fileURLWithPath: file))) }
            let topics = connection.topics
            let messages = try data.products.map {
                KafkaOutgoingMessage(topic: topics.name(.products), key: Array($0.sku.rawValue.utf8), value: Array(try OrderFlowJSON.encoder.encode($0)))
            } + data.customers.map {
                KafkaOutgoingMessage(topic: topics.name(.customers), key: Array($0.customerId.rawValue.utf8), value: Array(try OrderFlowJSON.encoder.encode($0)))
            }
            let producer = try connection.producer()
            _ = try await producer.send(messages)
            await producer.shutdown()
            print("published \(data.products.count) products and \(data.customers.count) customers")
        }
    }
}

/// `orderctl stock receive FILE`: posts `stock.received` events (key = SKU).
struct Stock: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Post stock movements.", subcommands: [Receive.self])

    struct Receive: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Post stock.received for each {sku, quantity, reference} in a JSON file.")

        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "JSON file with an array of stock receipts (or {\"stock\": […]}).") var file: String
        @Option(help: "Multiply every quantity (for load tests).") var times = 1

        func run() async throws {
            let receipts = try MasterDataFile.read(URL(fileURLWithPath: file)).stock.map {
                StockReceived(sku: $0.sku, quantity: $0.quantity * max(1, times), reference: times > 1 ? "\($0.reference)-x\(times)" : $0.reference)
            }
            let producer = try connection.producer()
            let sender = EventSender(producer: producer, topics: connection.topics, source: "/orderctl/stock")
            for receipt in receipts { try await sender.send(receipt, to: .warehouse, key: receipt.sku.rawValue) }
            await producer.shutdown()
            print("posted \(receipts.count) stock receipts")
        }
    }
}

/// `orderctl submit FILE`: publishes one submission or an array of them to
/// `orders.submitted` (key = `channel:externalOrderId`), exactly as written.
struct Submit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Submit orders (one JSON submission or an array) to orders.submitted.")

    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "JSON file, or - for standard input.") var file: String

    func run() async throws {
        let json = try OrderFlowJSON.decoder.decode(JSONValue.self, from: readInput(file))
        let items = json.arrayValue ?? [json]
        let messages = try items.map { item in
            let key = "\(item["channel"]?.stringValue ?? ""):\(item["externalOrderId"]?.stringValue ?? "")"
            return KafkaOutgoingMessage(topic: connection.topics.name(.submitted), key: Array(key.utf8), value: Array(try OrderFlowJSON.encoder.encode(item)))
        }
        let producer = try connection.producer()
        _ = try await producer.send(messages)
        await producer.shutdown()
        print("submitted \(messages.count) order(s)")
    }
}

/// `orderctl send TYPE DATA`: sends one inbound event (a payment, a decision, a scan …)
/// in a CloudEvents envelope to the topic of the department that acts on it.
struct Send: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Send one event, e.g. orderctl send payment.received '{\"orderId\":\"SO-2026-000001\",\"amount\":\"100.00\",\"currency\":\"CNY\",\"reference\":\"BANK-1\"}'.")

    /// Where each inbound event type goes (contract v1 table plus additions).
    static let routes: [String: Topic] = [
        ReviewDecided.eventType: .review, CancellationRequested.eventType: .review, ChangeRequested.eventType: .review,
        StockReceived.eventType: .warehouse, StockInTransit.eventType: .warehouse, WarehouseTaskCompleted.eventType: .warehouse,
        ShipmentTrackingUpdated.eventType: .logistics, DeliveryResponded.eventType: .logistics,
        PaymentReceived.eventType: .billing,
    ]

    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "Event type: \(Send.routes.keys.sorted().joined(separator: ", ")).") var type: String
    @Argument(help: "The event's data as JSON (or @FILE).") var data: String
    @Option(help: "Event id (default: a new UUID); resending the same id is acted on once.") var id: String?

    func run() async throws {
        guard let topic = Self.routes[type] else { throw ValidationError("unknown inbound event type '\(type)'") }
        let bytes = data.hasPrefix("@") ? try readInput(String(data.dropFirst())) : Data(data.utf8)
        let json = try OrderFlowJSON.decoder.decode(JSONValue.self, from: bytes)
        // Validate against the schema before sending, so mistakes are caught here.
        let envelope = EventEnvelope(id: id ?? UUID().uuidString.lowercased(), source: "/orderctl", type: type,
                                     subject: json["orderId"]?.stringValue, time: Date(), dataversion: 1,
                                     correlationid: nil, causationid: nil, data: json)
        do { _ = try EventRegistry.standard.decode(envelope) } catch { throw ValidationError("\(type) data is invalid: \(error.message)") }
        let key = json["orderId"]?.stringValue ?? json["sku"]?.stringValue ?? ""
        let producer = try connection.producer()
        let report = try await producer.send(KafkaOutgoingMessage(topic: connection.topics.name(topic), key: Array(key.utf8),
                                                                   value: Array(try envelope.encoded())))
        await producer.shutdown()
        print("sent \(type) \(envelope.id) to \(report.topic)[\(report.partition)]@\(report.offset)")
    }
}
