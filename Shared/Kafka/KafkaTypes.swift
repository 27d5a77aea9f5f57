import Foundation

/// A Kafka record header: a key and an optional (possibly `nil`) byte value.
public struct KafkaHeader: Sendable, Hashable {
    /// Header name.
    public var key: String
    /// Header value; `nil` is a header with a null value.
    public var value: [UInt8]?

    /// Creates a header with raw bytes.
    public init(key: String, value: [UInt8]?) {
        self.key = key
        self.value = value
    }

    /// Creates a header whose value is the UTF-8 encoding of `value`.
    public init(key: String, value: String) {
        self.init(key: key, value: Array(value.utf8))
    }
}

/// A message to produce. A `nil` value is a tombstone (deletes the key in compacted topics).
public struct KafkaOutgoingMessage: Sendable, Hashable {
    /// Destination topic.
    public var topic: String
    /// Message key (drives partitioning); `nil` means no key.
    public var key: [UInt8]?
    /// Message payload; `nil` is a tombstone.
    public var value: [UInt8]?
    /// Record headers, in order.
    public var headers: [KafkaHeader]

    /// Creates a message from raw bytes.
    public init(topic: String, key: [UInt8]?, value: [UInt8]?, headers: [KafkaHeader] = []) {
        self.topic = topic
        self.key = key
        self.value = value
        self.headers = headers
    }

    /// Creates a message with a UTF-8 string key and a byte value.
    public init(topic: String, key: String?, value: [UInt8]?, headers: [KafkaHeader] = []) {
        self.init(topic: topic, key: key.map { Array($0.utf8) }, value: value, headers: headers)
    }

    /// A tombstone (null value) for `key`: deletes the key from a compacted topic.
    public static func tombstone(topic: String, key: String, headers: [KafkaHeader] = []) -> KafkaOutgoingMessage {
        KafkaOutgoingMessage(topic: topic, key: Array(key.utf8), value: nil, headers: headers)
    }

    /// Creates a message with a UTF-8 string key and a `Data` value.
    public init(topic: String, key: String?, value: Data?, headers: [KafkaHeader] = []) {
        self.init(topic: topic, key: key.map { Array($0.utf8) }, value: value.map { [UInt8]($0) }, headers: headers)
    }
}

/// Where the broker stored a produced message.
public struct KafkaDeliveryReport: Sendable, Hashable {
    /// Topic the message was written to.
    public var topic: String
    /// Partition the message was written to.
    public var partition: Int32
    /// Offset of the message in that partition (-1 if the broker did not report it).
    public var offset: Int64

    /// Creates a delivery report.
    public init(topic: String, partition: Int32, offset: Int64) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
    }
}

/// What became of one message of `KafkaProducer.sendEach`.
public enum KafkaSendOutcome: Sendable {
    /// The broker has it.
    case delivered(KafkaDeliveryReport)
    /// It was not delivered; `KafkaError.isPermanent` tells whether trying again can help.
    case failed(KafkaError)
    /// Not sent: an earlier message with the same key was refused for good as it was handed
    /// to librdkafka, and this one must not overtake it.
    case held
}

/// A consumed message, copied out of librdkafka's memory.
public struct KafkaMessage: Sendable, Hashable {
    /// Topic the message came from.
    public var topic: String
    /// Partition the message came from.
    public var partition: Int32
    /// Offset of the message. Commit `offset + 1` once it is processed.
    public var offset: Int64
    /// Message key, if any.
    public var key: [UInt8]?
    /// Message payload; `nil` for a tombstone.
    public var value: [UInt8]?
    /// Record headers, in order.
    public var headers: [KafkaHeader]
    /// Message timestamp (create or log-append time), if the broker sent one.
    public var timestamp: Date?

    /// Creates a message (mainly for tests).
    public init(
        topic: String, partition: Int32, offset: Int64, key: [UInt8]?, value: [UInt8]?,
        headers: [KafkaHeader] = [], timestamp: Date? = nil
    ) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.key = key
        self.value = value
        self.headers = headers
        self.timestamp = timestamp
    }

    /// The key decoded as UTF-8, if there is a key.
    public var keyString: String? { key.map { String(decoding: $0, as: UTF8.self) } }
    /// The value decoded as UTF-8, if there is a value.
    public var valueString: String? { value.map { String(decoding: $0, as: UTF8.self) } }
    /// This message's position, for commits and assignment checks.
    public var topicPartition: KafkaTopicPartition { KafkaTopicPartition(topic: topic, partition: partition) }
}

/// A topic and partition number.
public struct KafkaTopicPartition: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Topic name.
    public var topic: String
    /// Partition number.
    public var partition: Int32

    /// Creates a topic-partition.
    public init(topic: String, partition: Int32) {
        self.topic = topic
        self.partition = partition
    }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        (lhs.topic, lhs.partition) < (rhs.topic, rhs.partition)
    }

    public var description: String { "\(topic)[\(partition)]" }
}

/// A change of a group consumer's assignment, as decided by the group coordinator.
public enum KafkaRebalanceEvent: Sendable, Hashable {
    /// These partitions were added to the assignment.
    case assigned([KafkaTopicPartition])
    /// These partitions were taken away (commit what you processed for them, or expect redelivery).
    case revoked([KafkaTopicPartition])
}

/// A topic to create with `KafkaAdmin.createTopics`.
public struct KafkaTopicSpec: Sendable, Hashable {
    /// Topic name.
    public var name: String
    /// Number of partitions.
    public var partitions: Int
    /// Replication factor (1 for a single local broker).
    public var replicationFactor: Int
    /// Topic-level configuration, e.g. `["cleanup.policy": "compact"]`.
    public var config: [String: String]

    /// Creates a topic specification.
    public init(name: String, partitions: Int, replicationFactor: Int = 1, config: [String: String] = [:]) {
        self.name = name
        self.partitions = partitions
        self.replicationFactor = replicationFactor
        self.config = config
    }
}

/// The outcome of creating one topic.
public enum KafkaTopicCreation: Sendable, Hashable {
    /// The topic was created by this call.
    case created
    /// The topic already existed (not an error: creation is idempotent).
    case alreadyExisted
}

/// Whether a Kafka client can still do its work (for readiness checks).
public enum KafkaClientHealth: Sendable, Equatable {
    /// Usable.
    case healthy
    /// librdkafka raised a fatal error: the instance is unusable until the process restarts.
    case fatal(String)
    /// The client has been shut down / closed (or is shutting down).
    case closed

    public var isHealthy: Bool { self == .healthy }

    /// Why the client is not healthy (nil when it is).
    public var problem: String? {
        switch self {
        case .healthy: nil
        case .fatal(let reason): "fatal error: \(reason)"
        case .closed: "closed"
        }
    }
}
