/// The logical topics of OrderFlow (contract v1 plus `orders.replenishment`). Deployments
/// may put a prefix in front of every name; `TopicNames` applies it.
public enum Topic: String, Codable, Sendable, Hashable, CaseIterable {
    case submitted = "orders.submitted"
    case review = "orders.review"
    case warehouse = "orders.warehouse"
    case logistics = "orders.logistics"
    case billing = "orders.billing"
    case status = "orders.status"
    case deadletter = "orders.deadletter"
    /// What `orderctl deadletter replay` re-sent (compacted; key = the original message).
    case deadletterReplays = "orders.deadletter.replays"
    /// Replenishment requests and shortage alerts from the warehouse, for procurement.
    case replenishment = "orders.replenishment"
    case products = "masterdata.products"
    case customers = "masterdata.customers"

    /// Master-data topics are compacted: the latest record per key wins.
    public var isCompacted: Bool { self == .products || self == .customers || self == .deadletterReplays }
}

/// Physical topic names for one deployment: the logical name behind an optional prefix.
public struct TopicNames: Sendable, Hashable {
    public var prefix: String

    public init(prefix: String = "") { self.prefix = prefix }

    public func name(_ topic: Topic) -> String { prefix + topic.rawValue }

    /// The logical topic for a physical name, if it is one of ours.
    public func topic(named name: String) -> Topic? {
        guard name.hasPrefix(prefix) else { return nil }
        return Topic(rawValue: String(name.dropFirst(prefix.count)))
    }
}
