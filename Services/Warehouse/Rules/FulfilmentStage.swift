import OrderModel

/// Where an order is in the warehouse. After allocation the work runs picking → checking
/// → packing → inspecting; a passed inspection hands the order to logistics, a failed one
/// sends it back to picking.
public enum FulfilmentStage: String, Codable, Sendable, Hashable {
    /// Waiting in the backorder queue for stock; nothing reserved.
    case backordered
    /// Stock reserved; waiting for the goods to be picked.
    case picking
    /// Picked; waiting for the pick to be checked.
    case checking
    /// Checked; waiting to be packed.
    case packing
    /// Packed; waiting for quality inspection.
    case inspecting
    /// Inspected and handed to logistics; the goods have left the warehouse's books.
    case handedOver = "handed_over"
    /// Cancelled while the warehouse held it.
    case cancelled
    /// Sent back to review for a change; nothing reserved until it is released again.
    case returnedForChange = "returned_for_change"

    /// The task a worker (or the demo timer) completes next in this stage.
    public var expectedStep: WarehouseTaskCompleted.Step? {
        switch self {
        case .picking: .picked
        case .checking: .checked
        case .packing: .packed
        case .inspecting: .inspected
        case .backordered, .handedOver, .cancelled, .returnedForChange: nil
        }
    }

    /// The stage after `step` was completed (inspection is decided separately: it either
    /// hands over or goes back to picking).
    static func after(_ step: WarehouseTaskCompleted.Step) -> FulfilmentStage {
        switch step {
        case .picked: .checking
        case .checked: .packing
        case .packed: .inspecting
        case .inspected: .handedOver
        }
    }

    /// Allocated and being worked on: stock is reserved for the order.
    public var holdsStock: Bool { expectedStep != nil }

    /// The warehouse still holds the order: a cancellation or change is carried out here.
    public var isOpenHere: Bool { self == .backordered || holdsStock }
}
