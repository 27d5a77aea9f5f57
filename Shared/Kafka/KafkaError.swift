import CRdKafka

/// An error raised by the OrderFlow Kafka client (producer, consumer, admin or runtime checks).
///
/// `code` says which kind of failure it is; `message` explains it for humans; when
/// librdkafka reported an error code, `rdKafkaCode` / `rdKafkaName` carry it.
public struct KafkaError: Error, CustomStringConvertible, Sendable {
    /// The kind of failure. Compare with the static members, e.g. `error.code == .shutdown`.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }

        /// The loaded librdkafka is too old to talk to current brokers.
        public static let unsupportedLibrary = Code("unsupportedLibrary")
        /// A configuration property was rejected, or a handle could not be created.
        public static let configuration = Code("configuration")
        /// A message could not be delivered.
        public static let delivery = Code("delivery")
        /// The local producer queue stayed full.
        public static let queueFull = Code("queueFull")
        /// A blocking operation did not finish in time.
        public static let timeout = Code("timeout")
        /// Committing consumer offsets failed.
        public static let commit = Code("commit")
        /// An admin or metadata request failed.
        public static let admin = Code("admin")
        /// The client has been shut down (or is shutting down).
        public static let shutdown = Code("shutdown")
        /// Creating a specific topic failed.
        public static let topicCreation = Code("topicCreation")
        /// A consumer poll reported an error.
        public static let consume = Code("consume")
        /// librdkafka raised a fatal error; the client instance is unusable.
        public static let fatal = Code("fatal")

        public var description: String { name }
    }

    /// The kind of failure.
    public let code: Code
    /// A human-readable explanation.
    public let message: String
    /// The raw `rd_kafka_resp_err_t` value, when librdkafka reported one.
    public let rdKafkaCode: Int32?
    /// The symbolic librdkafka error name (e.g. `_MSG_TIMED_OUT`), when there is one.
    public let rdKafkaName: String?

    /// Creates an error without an underlying librdkafka code.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
        self.rdKafkaCode = nil
        self.rdKafkaName = nil
    }

    init(_ code: Code, _ message: String, rdKafka err: rd_kafka_resp_err_t) {
        self.code = code
        self.message = message
        self.rdKafkaCode = err.rawValue
        self.rdKafkaName = String(cString: rd_kafka_err2name(err))
    }

    public var description: String {
        var text = "KafkaError.\(code): \(message)"
        if let rdKafkaName, let rdKafkaCode {
            text += " [rdkafka \(rdKafkaName) (\(rdKafkaCode))]"
        }
        return text
    }
}

extension KafkaError {
    /// Error text for an `rd_kafka_resp_err_t`.
    static func describe(_ err: rd_kafka_resp_err_t) -> String {
        String(cString: rd_kafka_err2str(err))
    }
}

extension KafkaError {
    /// Whether the broker or librdkafka refused this one message for good: sending it again
    /// cannot succeed until someone changes the message, the topic or the configuration
    /// (too large, unknown topic or partition, not authorised, invalid record, policy).
    /// Everything else (timeouts, broker outages, a full queue) is worth retrying; a
    /// `.fatal` or `.shutdown` error concerns the client, not the message, and is not permanent.
    public var isPermanent: Bool {
        guard code == .delivery, let rdKafkaCode else { return false }
        return Self.permanentCodes.contains(rdKafkaCode)
    }

    /// The librdkafka / broker error codes that refuse a message for good (`isPermanent`).
    static let permanentCodes: Set<Int32> = Set([
        RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE, RD_KAFKA_RESP_ERR_INVALID_MSG_SIZE, RD_KAFKA_RESP_ERR_RECORD_LIST_TOO_LARGE,
        RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC, RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION, RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART,
        RD_KAFKA_RESP_ERR_TOPIC_EXCEPTION, RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED,
        RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED, RD_KAFKA_RESP_ERR_INVALID_RECORD, RD_KAFKA_RESP_ERR_POLICY_VIOLATION,
        RD_KAFKA_RESP_ERR_INVALID_TIMESTAMP, RD_KAFKA_RESP_ERR_UNSUPPORTED_FOR_MESSAGE_FORMAT, RD_KAFKA_RESP_ERR__INVALID_ARG,
    ].map(\.rawValue))

    /// Whether the message was refused for its size (`MSG_SIZE_TOO_LARGE` and kin).
    public var isMessageTooLarge: Bool {
        guard code == .delivery, let rdKafkaCode else { return false }
        return [RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE, RD_KAFKA_RESP_ERR_INVALID_MSG_SIZE, RD_KAFKA_RESP_ERR_RECORD_LIST_TOO_LARGE]
            .map(\.rawValue).contains(rdKafkaCode)
    }
}
