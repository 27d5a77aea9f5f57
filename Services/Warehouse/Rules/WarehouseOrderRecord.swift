import Foundation
import DepartmentKit
import OrderModel

/// What the warehouse knows about one released order (kind `warehouse.order`, key =
/// order id).
public struct WarehouseOrderRecord: StateRecord, Hashable {
    public static let kind = "warehouse.order"

    public var order: Order
    public var stage: FulfilmentStage
    /// The last status the warehouse published for the order.
    public var status: OrderStatus
    /// Position in release order (a warehouse sequence): backorders are filled oldest
    /// first within a priority.
    public var releaseSequence: Int64
    /// The units reserved for the order; empty unless `stage.holdsStock`.
    public var reserved: StockDemand
    /// The picking attempt, from 1; a failed inspection starts the next.
    public var attempt: Int
    /// When the current step is due in demo mode.
    public var stepDueAt: Date?
    /// When stock was reserved; the fulfilment stage limit runs from here.
    public var allocatedAt: Date?
    /// The fulfilment stage limit was reported (once per allocation).
    public var fulfilmentLimitBreached: Bool

    public init(order: Order, stage: FulfilmentStage, status: OrderStatus, releaseSequence: Int64) {
        self.order = order
        self.stage = stage
        self.status = status
        self.releaseSequence = releaseSequence
        self.reserved = .none
        self.attempt = 1
        self.stepDueAt = nil
        self.allocatedAt = nil
        self.fulfilmentLimitBreached = false
    }

    /// What the order needs from the shelves.
    public var demand: StockDemand { StockDemand(order: order) }
}

extension WarehouseRules {
    /// The timer that wakes the warehouse for an order in fulfilment.
    static let fulfilmentTimer = "warehouse.fulfilment"

    /// Stores `record` (unless it is known to be unchanged) and keeps the backorder queue and the order's timer in step with
    /// its stage: an order holding stock is woken when its demo-mode step is due or its
    /// fulfilment stage limit runs out, whichever comes first.
    func save(_ record: WarehouseOrderRecord, in state: any StateStore, changed: Bool = true) throws {
        let key = record.order.id.rawValue
        if changed {
            try state.put(record, key)
            if record.stage == .backordered {
                try state.put(WarehouseBackorderRecord(orderId: record.order.id, priority: record.order.priority,
                                                       releaseSequence: record.releaseSequence), key)
            } else {
                try state.remove(WarehouseBackorderRecord.self, key)
            }
        }
        try state.reschedule(Self.fulfilmentTimer, key: key, at: nextWake(for: record))
    }

    /// When the order needs the timer next: its demo-mode step, or the moment its
    /// fulfilment stage limit is passed (reported once); nil when neither applies.
    func nextWake(for record: WarehouseOrderRecord) -> Date? {
        guard record.stage.holdsStock else { return nil }
        var candidates: [Date] = []
        if config.demoMode, record.stage.expectedStep != nil, let due = record.stepDueAt { candidates.append(due) }
        if !record.fulfilmentLimitBreached, let since = record.allocatedAt {
            // The limit is passed strictly after the deadline; 1 ms after it is the first moment that counts `fulfilmentLimit` seconds.
            candidates.append(since.addingTimeInterval(config.fulfilmentLimit + 0.001))
        }
        return candidates.min()
    }
}

extension StateStore {
    /// The warehouse's record of `orderId`, if the order was released here.
    func warehouseOrder(_ orderId: OrderID) throws -> WarehouseOrderRecord? {
        try get(WarehouseOrderRecord.self, orderId.rawValue)
    }
}
