import CRdKafka
import Dispatch
import Logging
import Synchronization

/// Topic administration and metadata lookups.
///
/// Blocking calls (admin-result waits, metadata) run on the admin's own serial
/// `DispatchQueue`. Call `close()` when done (`deinit` also releases the handle).
public final class KafkaAdmin: Sendable {
    private let handle: RdKafkaHandle
    private let queue = DispatchQueue(label: "orderflow.kafka.admin")
    private let logger: Logger
    private let closed = Atomic<Bool>(false)

    /// Creates an admin client.
    /// - Throws: `.unsupportedLibrary`, `.configuration`.
    public init(client: KafkaClientConfig, logger: Logger = Logger(label: "orderflow.kafka.admin")) throws {
        self.logger = logger
        handle = try RdKafkaHandle.make(
            type: RD_KAFKA_PRODUCER,
            properties: client.properties(for: .admin, defaults: ["log.connection.close": "false"]),
            context: ClientContext(logger: logger, role: .admin)
        )
    }

    deinit {
        if !closed.exchange(true, ordering: .acquiringAndReleasing) {
            queue.async { [handle] in handle.destroy() }
        }
    }

    /// Creates the topics; idempotent: a topic that already exists is reported as
    /// `.alreadyExisted`, not as an error.
    /// - Returns: the outcome per topic name.
    /// - Throws: `.topicCreation` naming the topic for per-topic failures, `.timeout`, `.admin`.
    public func createTopics(_ specs: [KafkaTopicSpec], timeout: Duration = .seconds(10)) async throws -> [String: KafkaTopicCreation] {
        if specs.isEmpty { return [:] }
        return try await runBlocking(on: queue) { [handle, logger] in
            guard !handle.isDestroyed else { throw KafkaError(.shutdown, "admin client is closed") }
            let rk = handle.pointer
            var newTopics: [OpaquePointer?] = []
            defer { for topic in newTopics { rd_kafka_NewTopic_destroy(topic) } }
            var errstr = [CChar](repeating: 0, count: 512)
            for spec in specs {
                guard let topic = rd_kafka_NewTopic_new(spec.name, Int32(spec.partitions), Int32(spec.replicationFactor), &errstr, errstr.count) else {
                    throw KafkaError(.topicCreation, "topic \(spec.name): \(cString(errstr))")
                }
                newTopics.append(topic)
                for (key, value) in spec.config.sorted(by: { $0.key < $1.key }) {
                    let err = rd_kafka_NewTopic_set_config(topic, key, value)
                    if err != RD_KAFKA_RESP_ERR_NO_ERROR {
                        throw KafkaError(.topicCreation, "topic \(spec.name): config \(key)=\(value) rejected: \(KafkaError.describe(err))", rdKafka: err)
                    }
                }
            }
            let options = rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS)
            defer { rd_kafka_AdminOptions_destroy(options) }
            _ = rd_kafka_AdminOptions_set_request_timeout(options, timeout.milliseconds, &errstr, errstr.count)
            _ = rd_kafka_AdminOptions_set_operation_timeout(options, timeout.milliseconds, &errstr, errstr.count)
            let resultQueue = rd_kafka_queue_new(rk)
            defer { rd_kafka_queue_destroy(resultQueue) }
            newTopics.withUnsafeMutableBufferPointer { buffer in
                rd_kafka_CreateTopics(rk, buffer.baseAddress, buffer.count, options, resultQueue)
            }
            // The request timeout bounds the wait; add a margin so librdkafka's own timeout wins.
            guard let event = rd_kafka_queue_poll(resultQueue, timeout.milliseconds &+ 2000) else {
                throw KafkaError(.timeout, "CreateTopics \(specs.map(\.name)) did not answer within \(timeout)")
            }
            defer { rd_kafka_event_destroy(event) }
            _ = rd_kafka_poll(rk, 0)  // serve error/log events of the main queue
            let eventError = rd_kafka_event_error(event)
            if eventError != RD_KAFKA_RESP_ERR_NO_ERROR {
                let text = rd_kafka_event_error_string(event).map { String(cString: $0) } ?? KafkaError.describe(eventError)
                let code: KafkaError.Code = eventError == RD_KAFKA_RESP_ERR__TIMED_OUT ? .timeout : .admin
                throw KafkaError(code, "CreateTopics \(specs.map(\.name)) failed: \(text)", rdKafka: eventError)
            }
            guard let result = rd_kafka_event_CreateTopics_result(event) else {
                throw KafkaError(.admin, "CreateTopics returned an unexpected event")
            }
            var count = 0
            guard let topics = rd_kafka_CreateTopics_result_topics(result, &count) else {
                throw KafkaError(.admin, "CreateTopics returned no topic results")
            }
            var outcome: [String: KafkaTopicCreation] = [:]
            for i in 0..<count {
                let topicResult = topics[i]
                let name = String(cString: rd_kafka_topic_result_name(topicResult))
                let err = rd_kafka_topic_result_error(topicResult)
                switch err {
                case RD_KAFKA_RESP_ERR_NO_ERROR:
                    outcome[name] = .created
                case RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS:
                    outcome[name] = .alreadyExisted
                default:
                    let text = rd_kafka_topic_result_error_string(topicResult).map { String(cString: $0) } ?? KafkaError.describe(err)
                    throw KafkaError(.topicCreation, "could not create topic \(name): \(text)", rdKafka: err)
                }
            }
            logger.debug("created topics", metadata: ["result": "\(outcome)"])
            return outcome
        }
    }

    /// The configuration of each topic as the broker describes it (DescribeConfigs): name →
    /// value, without synonyms and without entries that have no value. A broker that knows
    /// a topic but reports nothing for it (Tansu reports only what was set at creation)
    /// gives an empty dictionary; a per-topic error leaves the topic out of the result.
    /// - Throws: `.admin` (e.g. `_UNSUPPORTED_FEATURE` from a broker without DescribeConfigs), `.timeout`.
    public func describeConfigs(of topics: [String], timeout: Duration = .seconds(10)) async throws -> [String: [String: String]] {
        if topics.isEmpty { return [:] }
        return try await runBlocking(on: queue) { [handle] in
            guard !handle.isDestroyed else { throw KafkaError(.shutdown, "admin client is closed") }
            let rk = handle.pointer
            var resources: [OpaquePointer?] = topics.map { rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, $0) }
            defer { for resource in resources { rd_kafka_ConfigResource_destroy(resource) } }
            var errstr = [CChar](repeating: 0, count: 512)
            let options = rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS)
            defer { rd_kafka_AdminOptions_destroy(options) }
            _ = rd_kafka_AdminOptions_set_request_timeout(options, timeout.milliseconds, &errstr, errstr.count)
            let resultQueue = rd_kafka_queue_new(rk)
            defer { rd_kafka_queue_destroy(resultQueue) }
            resources.withUnsafeMutableBufferPointer { buffer in
                rd_kafka_DescribeConfigs(rk, buffer.baseAddress, buffer.count, options, resultQueue)
            }
            guard let event = rd_kafka_queue_poll(resultQueue, timeout.milliseconds &+ 2000) else {
                throw KafkaError(.timeout, "DescribeConfigs \(topics) did not answer within \(timeout)")
            }
            defer { rd_kafka_event_destroy(event) }
            _ = rd_kafka_poll(rk, 0)
            let eventError = rd_kafka_event_error(event)
            if eventError != RD_KAFKA_RESP_ERR_NO_ERROR {
                let text = rd_kafka_event_error_string(event).map { String(cString: $0) } ?? KafkaError.describe(eventError)
                let code: KafkaError.Code = eventError == RD_KAFKA_RESP_ERR__TIMED_OUT ? .timeout : .admin
                throw KafkaError(code, "DescribeConfigs \(topics) failed: \(text)", rdKafka: eventError)
            }
            guard let result = rd_kafka_event_DescribeConfigs_result(event) else {
                throw KafkaError(.admin, "DescribeConfigs returned an unexpected event")
            }
            var count = 0
            guard let described = rd_kafka_DescribeConfigs_result_resources(result, &count) else { return [:] }
            var configs: [String: [String: String]] = [:]
            for i in 0..<count {
                let resource = described[i]
                guard rd_kafka_ConfigResource_error(resource) == RD_KAFKA_RESP_ERR_NO_ERROR else { continue }
                let name = String(cString: rd_kafka_ConfigResource_name(resource))
                var entryCount = 0
                var entries: [String: String] = [:]
                if let list = rd_kafka_ConfigResource_configs(resource, &entryCount) {
                    for j in 0..<entryCount {
                        let entry = list[j]
                        guard rd_kafka_ConfigEntry_is_synonym(entry) == 0, let value = rd_kafka_ConfigEntry_value(entry) else { continue }
                        entries[String(cString: rd_kafka_ConfigEntry_name(entry))] = String(cString: value)
                    }
                }
                configs[name] = entries
            }
            return configs
        }
    }

    /// Number of partitions of `topic` per cluster metadata, or `nil` if it does not exist.
    public func partitionCount(of topic: String, timeout: Duration = .seconds(10)) async throws -> Int? {
        try await runBlocking(on: queue) { [handle] in
            guard !handle.isDestroyed else { throw KafkaError(.shutdown, "admin client is closed") }
            return try Metadata.partitionCounts(handle.pointer, timeout: timeout)[topic]
        }
    }

    /// Destroys the handle (on the admin queue). Idempotent.
    public func close() async {
        guard !closed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        _ = try? await runBlocking(on: queue) { [handle] in handle.destroy() }
    }
}
