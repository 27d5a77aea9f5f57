import ArgumentParser
import Foundation
import Kafka
import OrderModel
import ServiceKit

/// Reads topics from the beginning: everything up to the end offsets seen at start, then
/// (when following) whatever comes next.
struct TopicReader {
    let consumer: KafkaConsumer

    /// Calls `body` for every message up to the current end; then, if `follow`, for new
    /// ones until `body` returns false or the task is cancelled.
    func read(follow: Bool, _ body: (KafkaMessage) throws -> Bool) async throws {
        var next: [KafkaTopicPartition: Int64] = [:]
        /// Partitions whose end is not reached yet. The end offsets are asked again once
        /// reached, since a broker may under-report them before the first fetch.
        func unread() async throws -> [KafkaTopicPartition: Int64] {
            try await consumer.highWatermarks().filter { $0.value > (next[$0.key] ?? 0) }
        }
        var remaining = try await unread()
        if remaining.isEmpty && !follow { return }
        for try await batch in consumer.batches(maxMessages: 1000, maxWait: .milliseconds(50)) {
            for message in batch {
                guard try body(message) else { return }
                next[message.topicPartition] = message.offset + 1
                if let end = remaining[message.topicPartition], message.offset + 1 >= end { remaining[message.topicPartition] = nil }
            }
            if remaining.isEmpty && !follow {
                remaining = try await unread()
                if remaining.isEmpty { return }
            }
        }
    }
}

/// Renders messages for people.
enum Render {
    static func line(_ message: KafkaMessage, topics: TopicNames) -> String {
        let position = "\(message.topic)[\(message.partition)]@\(message.offset)"
        guard let value = message.value else { return "\(position) key=\(message.keyString ?? "-") <tombstone>" }
        let topic = topics.topic(named: message.topic)
        if topic == .deadletter {
            let headers = message.headers.map { "\($0.key)=\($0.value.map { String(decoding: $0, as: UTF8.self) } ?? "")" }.joined(separator: " ")
            return "\(position) DEAD LETTER \(headers) value=\(String(decoding: value.prefix(200), as: UTF8.self))"
        }
        if topic == .submitted || topic == .products || topic == .customers || topic == .deadletterReplays {
            return "\(position) key=\(message.keyString ?? "-") \(String(decoding: value.prefix(300), as: UTF8.self))"
        }
        do {
            let event = try CloudEventsKafka.decode(message)
            return "\(Timestamp.format(event.envelope.time)) \(position) \(event.envelope.type) \(summary(event))"
        } catch {
            return "\(position) <unreadable: \(error)>"
        }
    }

    static func summary(_ event: DecodedEvent) -> String {
        switch event.payload {
        case let status as OrderStatusChanged:
            var text = "\(status.orderId) \(status.channel):\(status.externalOrderId) → \(status.status) [\(status.department)]"
            if let reasons = status.reasons, !reasons.isEmpty { text += " reasons: " + reasons.map { "\($0.code) (\($0.message))" }.joined(separator: "; ") }
            if let details = status.details, !details.isEmpty { text += " " + details.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ") }
            return text
        case let breach as SLABreached:
            return "\(breach.orderId) stage \(breach.stage) over its limit of \(breach.limitSeconds)s in \(breach.status)"
        case let refused as RequestRefused:
            return "\(refused.orderId) \(refused.request) refused: " + refused.reasons.map { "\($0.code) (\($0.message))" }.joined(separator: "; ")
        case let notice as BillingNotice:
            return "\(notice.orderId) \(notice.kind) \(notice.amount) \(notice.message)"
        default:
            let data = (try? OrderFlowJSON.encoder.encode(event.envelope.data)).map { String(decoding: $0, as: UTF8.self) } ?? ""
            return "subject=\(event.envelope.subject ?? "-") \(data.prefix(300))"
        }
    }
}

/// `orderctl tail TOPIC`: prints a topic's messages decoded and readable.
struct Tail: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print a topic's messages, decoded (from the beginning; follows until Ctrl-C).")

    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "Topic: \(Topic.allCases.map(\.rawValue).joined(separator: ", ")).") var topic: String
    @Flag(help: "Stop at the current end instead of following.") var noFollow = false

    func run() async throws {
        guard let logical = Topic(rawValue: topic) else { throw ValidationError("unknown topic '\(topic)'") }
        let reader = TopicReader(consumer: try connection.reader([logical]))
        try await reader.read(follow: !noFollow) { message in
            say(Render.line(message, topics: connection.topics))
            return true
        }
    }
}

/// `orderctl status ORDER-ID`: the order's history, from the tracking service when it
/// answers, else read from `orders.status` (all of it: slow on a long topic).
struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show an order's status history (by order id or channel:externalOrderId).")

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var tracking: TrackingOptions
    @Argument(help: "SO-YYYY-NNNNNN, or channel:externalOrderId.") var order: String

    func run() async throws {
        if let client = await tracking.reachable() {
            let orders = try await client.orders(matching: order)
            if !orders.isEmpty {
                TrackingOptions.source("tracking service at \(client.base)")
                for tracked in orders {
                    print("\(tracked.orderId): \(tracked.status)")
                    for entry in tracked.timeline { print(statusLine(tracked, entry)) }
                }
                return
            }
            TrackingOptions.source("\(order) is not known to the tracking service at \(client.base); reading orders.status")
        } else {
            TrackingOptions.source("orders.status topic (the tracking service at \(tracking.url) does not answer)")
        }
        var found = 0
        let reader = TopicReader(consumer: try connection.reader([.status]))
        try await reader.read(follow: false) { message in
            guard let event = try? CloudEventsKafka.decode(message) else { return true }
            let matches = event.envelope.subject == order || event.envelope.correlationid == order
                || (event.payload as? OrderStatusChanged).map { "\($0.channel):\($0.externalOrderId)" == order } == true
            if matches {
                found += 1
                print("\(Timestamp.format(event.envelope.time))  \(event.envelope.type)  \(Render.summary(event))")
            }
            return true
        }
        if found == 0 {
            print("no status events for \(order)")
            throw ExitCode(1)
        }
    }
}
