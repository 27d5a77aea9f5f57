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
