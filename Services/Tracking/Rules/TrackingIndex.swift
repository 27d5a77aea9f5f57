import DepartmentKit
import Foundation
import OrderModel

/// The store's indexes: each is a record kind of its own in the service's state (one kind
/// per indexed value), keyed by order id, so a lookup or a page reads only its own rows
/// (`StateStore.loadRangeRaw`: the (kind, key) index of the state table), never every order.
public enum TrackingIndex: Sendable, Hashable {
    case external(channel: String, externalOrderId: String)
    /// The platform's order id alone (a clerk often has only that).
    case externalId(String)
    case customer(String)
    case status(String)
    /// Orders by the UTC day of their first event: the KPI period reads its days only.
    case day(LocalDate)

    /// Separates the parts of a kind (not a character channels or ids use).
    static let separator = "\u{1F}"

    public var kind: String {
        switch self {
        case .external(let channel, let external): "tracking.by-external" + Self.separator + channel + Self.separator + external
        case .externalId(let external): "tracking.by-external-id" + Self.separator + external
        case .customer(let id): "tracking.by-customer" + Self.separator + id
        case .status(let status): "tracking.by-status" + Self.separator + status
        case .day(let day): "tracking.by-day" + Self.separator + day.description
        }
    }

    /// The value of an index row (the key carries everything; a row needs some bytes).
    static let mark = Data([0x31])

    func add(_ orderId: String, in state: any StateStore) throws { try state.storeRaw(kind: kind, key: orderId, value: Self.mark) }
    func remove(_ orderId: String, in state: any StateStore) throws { try state.removeRaw(kind: kind, key: orderId) }

}

/// The store's lists besides the indexes, newest first (keys from `descendingKey`).
public enum TrackingStore {
    public static let slaBreaches = "tracking.sla-breaches"
    public static let deadLetters = "tracking.deadletters"
    /// Positions of dead letters already recorded (`topic/partition/offset`).
    public static let deadLettersSeen = "tracking.deadletters-seen"

    /// A key that sorts newer first: `ceiling - value`, zero-padded.
    public static func descendingKey(_ value: Int64, suffix: String = "") -> String {
        let inverted = String(max(0, 999_999_999_999_999 - value))
        return String(repeating: "0", count: max(0, 15 - inverted.count)) + inverted + suffix
    }

    /// Records the dead letter read at `position` (`topic/partition/offset`) unless it was
    /// recorded before (a re-delivery): `row` makes it from its sequence number. True when
    /// it was new.
    @discardableResult
    public static func recordDeadLetter(at position: String, in state: any StateStore, _ row: (Int64) -> DeadLetterRow) throws -> Bool {
        guard try state.loadRaw(kind: deadLettersSeen, key: position) == nil else { return false }
        let letter = row(try state.nextSequence(deadLetters))
        try state.storeRaw(kind: deadLetters, key: descendingKey(letter.sequence), value: OrderFlowJSON.encode(letter))
        try state.storeRaw(kind: deadLettersSeen, key: position, value: TrackingIndex.mark)
        return true
    }
}
