import Foundation
@testable import Kafka
import Logging
import ServiceLifecycle
import Synchronization
import TestSupport
import Testing

/// A fatal librdkafka error ends the client's `run()` with the error, so the service group
/// ends with an error, also when nothing is being sent or consumed at that moment.
@Suite("Fatal librdkafka errors end the service group", .timeLimit(.minutes(2)))
struct FatalErrorTests {
    private static var logger: Logger {
        var logger = Logger(label: "fatal-test")
        logger.logLevel = .critical
        return logger
    }

    /// Runs the group until it ends (or `timeout`, then cancels it and throws `TimedOut`).
    private func runUntilEnd(_ group: ServiceGroup, after trigger: @escaping @Sendable () async throws -> Void) async throws -> Result<Void, any Error> {
        let ended = Mutex<Result<Void, any Error>?>(nil)
        let run = Task {
            do {
                try await group.run()
                ended.withLock { $0 = .success(()) }
            } catch {
                ended.withLock { $0 = .failure(error) }
            }
        }
        try await Task.sleep(for: .milliseconds(300))
        try await trigger()
        do {
            // Generous: with the whole suite running on 2 cores, the local broker can take tens of
            // seconds to let a consumer leave its group; the group must still end, with the error.
            return try await withTimeout(.seconds(90), "the service group to end after a fatal error") {
                while true {
                    if let result = ended.withLock({ $0 }) { return result }
                    try await Task.sleep(for: .milliseconds(50))
                }
            }
        } catch {
            run.cancel()
            throw error
        }
    }

    @Test func fatalProducerErrorWhileIdleEndsTheGroupWithTheError() async throws {
        let broker = try await LocalBroker.shared()
        let topic = broker.uniqueTopic("fatal-producer")
        try await createTopic(broker, topic, partitions: 1)
        let producer = try KafkaProducer(client: broker.clientConfig(), logger: Self.logger)
        let consumer = try KafkaConsumer(client: broker.clientConfig(), mode: .group(id: broker.uniqueTopic("fatal-producer-group")),
                                         topics: [topic], logger: Self.logger)
        _ = try await producer.send(KafkaOutgoingMessage(topic: topic, key: "k", value: bytes("before")))
        #expect(producer.health == .healthy)
        let group = ServiceGroup(configuration: .init(services: [.init(service: producer), .init(service: consumer)], logger: Self.logger))
        let result = try await runUntilEnd(group) {
            #expect(producer.raiseFatalErrorForTesting("unit test"))
        }
        let error = try #require(result.failureValue as? KafkaError, "\(result)")
        #expect(error.code == .fatal)
        #expect(error.message.contains("producer"))
        #expect(error.message.contains("unit test"), "librdkafka's reason is in the error: \(error)")
        if case .fatal = producer.health {} else { Issue.record("producer health: \(producer.health)") }
        #expect(consumer.isClosed, "the rest of the group was stopped")
        #expect(!producer.raiseFatalErrorForTesting("again"))
        let sendError = await #expect(throws: KafkaError.self) {
            _ = try await producer.send(KafkaOutgoingMessage(topic: topic, key: "k", value: bytes("after")))
        }
        #expect(sendError?.code == .fatal || sendError?.code == .shutdown)
    }

    @Test func fatalConsumerErrorWhileNobodyPollsEndsTheGroupWithTheError() async throws {
        let broker = try await LocalBroker.shared()
        let topic = broker.uniqueTopic("fatal-consumer")
        try await createTopic(broker, topic, partitions: 1)
        let producer = try KafkaProducer(client: broker.clientConfig(), logger: Self.logger)
        let consumer = try KafkaConsumer(client: broker.clientConfig(), mode: .group(id: broker.uniqueTopic("fatal-consumer-group")),
                                         topics: [topic], logger: Self.logger)
        #expect(consumer.health == .healthy)
        let group = ServiceGroup(configuration: .init(services: [.init(service: producer), .init(service: consumer)], logger: Self.logger))
        let result = try await runUntilEnd(group) {
            let raised = try await consumer.raiseFatalErrorForTesting("unit test")
            #expect(raised)
        }
        let error = try #require(result.failureValue as? KafkaError, "\(result)")
        #expect(error.code == .fatal)
        #expect(error.message.contains("consumer") && error.message.contains("unit test"), "\(error)")
        #expect(consumer.health != .healthy)
        #expect(producer.health == .closed, "the producer was shut down with the group")
    }
}

extension Result {
    var failureValue: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
