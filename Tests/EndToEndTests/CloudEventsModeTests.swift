import Foundation
import Kafka
import OrderModel
import Testing

/// The CloudEvents Kafka binding through the real services: what they publish is structured
/// mode (`content-type: application/cloudevents+json`, no `ce_*` headers), and what outside
/// senders publish in binary mode (attributes in `ce_` headers, `data` as the value) is
/// accepted: a submission by intake, a stock receipt by the warehouse.
@Suite(.serialized) struct CloudEventsModeTests {
    static func binaryHeaders(id: String, type: String, source: String, subject: String?) -> [KafkaHeader] {
        var headers = [
            KafkaHeader(key: "ce_specversion", value: "1.0"), KafkaHeader(key: "ce_id", value: id),
            KafkaHeader(key: "ce_source", value: source), KafkaHeader(key: "ce_type", value: type),
            KafkaHeader(key: "ce_time", value: Timestamp.format(Date())), KafkaHeader(key: "content-type", value: "application/json"),
        ]
        if let subject { headers.append(KafkaHeader(key: "ce_subject", value: subject)) }
        return headers
    }

    @Test func servicesWriteStructuredModeAndAcceptBinaryModeFromOutside() async throws {
        try await Pipeline.run { pipeline in
            // A binary-mode submission: the value is the submission (the CloudEvent's data).
            let submission = Submissions.valid("CE-BINARY-1", lines: [("PUMP-200", 1, "1180.00")])
            _ = try await pipeline.producer.send(KafkaOutgoingMessage(
                topic: pipeline.topics.name(.submitted), key: Array("e2e-shop:CE-BINARY-1".utf8),
                value: Array(try OrderFlowJSON.encoder.encode(submission)),
                headers: Self.binaryHeaders(id: "shop-evt-1", type: "com.shop.order.submitted", source: "/e2e-shop", subject: nil)))
            // No stock yet: the order waits for it.
            try await pipeline.feed.wait(timeout: .seconds(60), "CE-BINARY-1 backordered") {
                pipeline.feed.statuses(external: "CE-BINARY-1").contains(.backordered)
            }
            // A binary-mode stock receipt from the ERP fills it.
            _ = try await pipeline.producer.send(KafkaOutgoingMessage(
                topic: pipeline.topics.name(.warehouse), key: Array("PUMP-200".utf8),
                value: Array(#"{"sku":"PUMP-200","quantity":5,"reference":"GR-CE-1"}"#.utf8),
                headers: Self.binaryHeaders(id: "erp-receipt-1", type: "stock.received", source: "/erp/receiving", subject: "PUMP-200")))
            try await pipeline.feed.wait(timeout: .seconds(60), "CE-BINARY-1 allocated") {
                pipeline.feed.statuses(external: "CE-BINARY-1").contains(.allocated)
            }
            #expect(pipeline.feed.deadLettered.isEmpty, "\(pipeline.feed.deadLettered.map(\.headers))")

            // Everything the services published on orders.status is structured mode, marked as such.
            let consumer = try KafkaConsumer(config: KafkaConsumerConfig(client: pipeline.broker.clientConfig(clientId: "e2e-headers"), mode: .assignAll,
                                                                         topics: [pipeline.topics.name(.status)]), logger: Pipeline.logger)
            var seen: [KafkaMessage] = []
            let deadline = ContinuousClock.now + .seconds(20)
            while seen.count < pipeline.feed.all.count, ContinuousClock.now < deadline {
                seen += try await consumer.poll(maxMessages: 500, maxWait: .milliseconds(200)) ?? []
            }
            await consumer.close()
            #expect(!seen.isEmpty)
            for message in seen {
                #expect(message.headers.contains(KafkaHeader(key: "content-type", value: "application/cloudevents+json")), "\(message.headers)")
                #expect(!message.headers.contains { $0.key.hasPrefix("ce_") }, "\(message.headers)")
                let envelope = try OrderFlowJSON.decode(EventEnvelope.self, from: Data(message.value ?? []))
                #expect(envelope.specversion == "1.0")
            }
        }
    }
}
