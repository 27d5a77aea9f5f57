import Foundation
import Kafka
import Testing
import TestSupport

/// `KafkaProducer.sendEach`: one outcome per message, permanent refusals told apart from
/// the rest, and a key's later messages held behind one refused at hand-over.
@Suite struct SendEachTests {
    @Test func eachMessageGetsItsOutcomeAndARefusedKeyHoldsItsLaterMessages() async throws {
        let broker = try await LocalBroker.shared()
        let topic = broker.uniqueTopic("send-each")
        try await createTopic(broker, topic, partitions: 1)
        let producer = try KafkaProducer(client: broker.clientConfig(options: ["message.max.bytes": "10000"]))
        let big = [UInt8](repeating: 65, count: 20_000)
        let outcomes = try await producer.sendEach([
            KafkaOutgoingMessage(topic: topic, key: "k1", value: bytes("a")),
            KafkaOutgoingMessage(topic: topic, key: "k2", value: big),
            KafkaOutgoingMessage(topic: topic, key: "k2", value: bytes("b")),
            KafkaOutgoingMessage(topic: topic, key: "k3", value: bytes("c")),
            KafkaOutgoingMessage(topic: topic, key: nil as String?, value: big),
            KafkaOutgoingMessage(topic: topic, key: nil as String?, value: bytes("d")),
        ])
        #expect(outcomes.count == 6)
        guard case .delivered = outcomes[0], case .failed(let refused) = outcomes[1], case .held = outcomes[2],
              case .delivered = outcomes[3], case .failed(let unkeyed) = outcomes[4], case .delivered = outcomes[5] else {
            Issue.record("unexpected outcomes: \(outcomes)")
            return
        }
        #expect(refused.isPermanent && refused.isMessageTooLarge)
        #expect(refused.rdKafkaName == "MSG_SIZE_TOO_LARGE")
        #expect(unkeyed.isPermanent)

        let reader = try KafkaConsumer(config: KafkaConsumerConfig(client: broker.clientConfig(), mode: .assignAll, topics: [topic]))
        let seen = try await collect(reader, count: 3)
        #expect(seen.compactMap(\.valueString) == ["a", "c", "d"])
        await reader.close()
        await producer.shutdown()
    }

    @Test func aMissingTopicIsRefusedForGood() async throws {
        let broker = try await LocalBroker.shared()
        // The producer never creates topics; librdkafka gives up on a topic the cluster
        // does not know after topic.metadata.propagation.max.ms.
        let producer = try KafkaProducer(client: broker.clientConfig(options: ["topic.metadata.propagation.max.ms": "1000"]))
        let outcomes = try await withTimeout(.seconds(30), "sending to a missing topic") {
            try await producer.sendEach([KafkaOutgoingMessage(topic: broker.uniqueTopic("missing"), key: "k", value: bytes("x"))])
        }
        guard case .failed(let error) = outcomes.first else {
            Issue.record("unexpected outcome: \(outcomes)")
            return
        }
        #expect(error.isPermanent, "\(error)")
        #expect(!error.isMessageTooLarge)
        await producer.shutdown()
    }

    @Test func onlyRefusalsOfTheMessageArePermanent() {
        #expect(!KafkaError(.delivery, "no librdkafka code").isPermanent)
        #expect(!KafkaError(.fatal, "fenced").isPermanent)
        #expect(!KafkaError(.queueFull, "full").isPermanent)
    }
}
