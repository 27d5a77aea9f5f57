/// How urgently an order is served: backorders are filled by priority, then by age.
public enum Priority: String, Codable, Sendable, Hashable, CaseIterable, Comparable {
    case low, normal, high, rush

    /// Larger is more urgent.
    public var rank: Int {
        switch self {
        case .low: 0
        case .normal: 1
        case .high: 2
        case .rush: 3
        }
    }

    public static func < (lhs: Priority, rhs: Priority) -> Bool { lhs.rank < rhs.rank }
}
