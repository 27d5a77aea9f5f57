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

extension StateStore {
    /// Stores `record` and keeps the backorder queue and the in-fulfilment index in step
    /// with its stage.
    func save(_ record: WarehouseOrderRecord) throws {
        let key = record.order.id.rawValue
        try put(record, key)
        if record.stage == .backordered {
            try put(WarehouseBackorderRecord(orderId: record.order.id, priority: record.order.priority,
                                             releaseSequence: record.releaseSequence), key)
        } else {
            try remove(WarehouseBackorderRecord.self, key)
        }
        if record.stage.holdsStock {
            try put(WarehouseInFulfilmentRecord(orderId: record.order.id), key)
        } else {
            try remove(WarehouseInFulfilmentRecord.self, key)
        }
    }

    /// The warehouse's record of `orderId`, if the order was released here.
    func warehouseOrder(_ orderId: OrderID) throws -> WarehouseOrderRecord? {
        try get(WarehouseOrderRecord.self, orderId.rawValue)
    }
}
