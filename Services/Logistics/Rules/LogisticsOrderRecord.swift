import Foundation
import DepartmentKit
import OrderModel

/// What logistics knows about one order it received from the warehouse (kind
/// `logistics.order`, key = order id).
public struct LogisticsOrderRecord: StateRecord, Hashable {
    public static let kind = "logistics.order"

    public var order: Order
    /// Every shipment of the order, oldest first; the last one is the current one.
    public var shipments: [Shipment]
    /// The last status logistics published for the order.
    public var status: OrderStatus
    /// When the carrier reported the delivery.
    public var deliveredAt: Date?
    /// The customer's last answer to the delivery that was published.
    public var deliveryResponse: DeliveryResponded.Response?
    /// The delivery stage limit was reported (once per order).
    public var deliveryLimitBreached = false

    public init(order: Order, shipments: [Shipment], status: OrderStatus) {
        self.order = order
        self.shipments = shipments
        self.status = status
    }

    /// The shipment that counts now (the latest one).
    public var current: Shipment {
        get { shipments[shipments.count - 1] }
        set { shipments[shipments.count - 1] = newValue }
    }

    public var isDelivered: Bool { deliveredAt != nil }
}

extension LogisticsRules {
    /// The timer that wakes logistics for an order whose shipment is underway.
    static let shipmentTimer = "logistics.shipment"

    /// Stores `record` (unless it is known to be unchanged) and keeps the order's timer in
    /// step with its current shipment.
    func save(_ record: LogisticsOrderRecord, in state: any StateStore, changed: Bool = true) throws {
        let key = record.order.id.rawValue
        if changed { try state.put(record, key) }
        try state.reschedule(Self.shipmentTimer, key: key, at: nextWake(for: record))
    }

    /// When the order needs the timer next: the simulated carrier's next scan (demo mode)
    /// or the moment the delivery stage limit is passed (reported once); nil once the
    /// current shipment is no longer underway.
    func nextWake(for record: LogisticsOrderRecord) -> Date? {
        let shipment = record.current
        guard shipment.progress == .underway else { return nil }
        var candidates: [Date] = []
        if config.demoMode {
            for (scan, delay) in [(ShipmentTrackingUpdated.Scan.inTransit, config.inTransitAfter), (.delivered, config.deliveredAfter)]
            where !shipment.simulatedScans.contains(scan) {
                candidates.append(shipment.shippedAt.addingTimeInterval(delay))
            }
        }
        if !record.deliveryLimitBreached {
            // The limit is passed strictly after the deadline; 1 ms after it is the first moment that counts the deadline.
            candidates.append(shipment.eta.addingTimeInterval(config.deliveryGrace + 0.001))
        }
        return candidates.min()
    }
}
