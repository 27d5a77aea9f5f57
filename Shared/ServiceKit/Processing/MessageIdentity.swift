import Kafka
import OrderModel

/// The inbox id of a consumed message that has no event id of its own: a submission (the
/// contract gives it none) or a message that could not be read (a dead letter).
///
/// Position *and* content: `<topic>/<partition>/<offset>/<digest>`, the digest being a
/// `StableHash` of the key and the value. The same record delivered again (same position,
/// same bytes) gets the same id, so the inbox acts on it once. A different record at a
/// position used before (the topic was deleted and created again, or the local broker
/// restarted while the service kept its database) gets a new id and is processed. The same
/// bytes sent again at another position are a new message too: for a submission, intake's
/// own rule on (`channel`, `externalOrderId`) decides that it is a repeat.
enum MessageIdentity {
    /// The id of a submission read from `message`.
    static func submission(_ message: KafkaMessage) -> String { id(of: message) }

    /// The inbox id under which a dead letter of `message` is remembered.
    static func deadLetter(_ message: KafkaMessage) -> String { "deadletter:" + id(of: message) }

    static func id(of message: KafkaMessage) -> String {
        "\(message.topic)/\(message.partition)/\(message.offset)/\(hex(digest(key: message.key, value: message.value)))"
    }

    /// A digest of key and value that tells "no key" from "empty key" and cannot shift bytes
    /// from one to the other (each part is preceded by its length).
    static func digest(key: [UInt8]?, value: [UInt8]?) -> UInt64 {
        var hash = StableHash()
        for part in [key, value] {
            hash.combine(part.map { UInt64($0.count) } ?? UInt64.max)
            if let part { hash.combine(part) }
        }
        return hash.value
    }

    private static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
