import Foundation
import DepartmentKit
import OrderModel

extension LogisticsRules {
    /// `order.packed`: choose the carrier, dispatch the whole order as shipment 1, publish
    /// `shipped` and tell billing what left (`shipment.dispatched`). A second `order.packed`
    /// for an order already shipped is a repeat and changes nothing.
    func ship(_ packed: OrderPacked, state: any StateStore, context: HandlerContext) throws -> HandlerOutcome {
        var outcome = HandlerOutcome()
        let order = packed.order
        if let known = try state.get(LogisticsOrderRecord.self, order.id.rawValue) {
            outcome.log(.notice, "order.packed for \(order.id) again; it already left as \(known.shipments[0].id), ignored")
            return outcome
        }
        let shipment = newShipment(of: order, number: 1, replacing: nil, at: context.now)
        announce(shipment, of: order, into: &outcome, context: context)
        try save(LogisticsOrderRecord(order: order, shipments: [shipment], status: .shipped), in: state)
        return outcome
    }

    /// The `number`th shipment of `order`, leaving now with the carrier the rules choose.
    func newShipment(of order: Order, number: Int, replacing previous: String?, at now: Date) -> Shipment {
        let carrier = CarrierSelection(config: config).carrier(for: order)
        let eta = now.addingTimeInterval(TimeInterval(config.days(for: carrier)) * 24 * 3600)
        return Shipment(id: Shipment.id(orderId: order.id, number: number), number: number, carrier: carrier,
                        trackingNumber: Shipment.trackingNumber(carrier: carrier, orderId: order.id, number: number),
                        shippedAt: now, eta: eta, replacementFor: previous)
    }

    /// Publishes status `shipped` and sends `shipment.dispatched` (all lines of the order)
    /// to billing; a replacement says so and is not invoiced again.
    func announce(_ shipment: Shipment, of order: Order, into outcome: inout HandlerOutcome, context: HandlerContext) {
        var details = [
            "carrier": shipment.carrier.rawValue,
            "trackingNumber": shipment.trackingNumber,
            "shipmentId": shipment.id,
            "eta": Timestamp.format(shipment.eta),
        ]
        if let previous = shipment.replacementFor { details["replacementFor"] = previous }
        outcome.status(order.ref, .shipped, department: department, at: context.now, details: details)
        let dispatched = ShipmentDispatched(order: order, shipmentId: shipment.id, carrier: shipment.carrier.rawValue,
                                            trackingNumber: shipment.trackingNumber, lines: order.lines,
                                            shippedAt: shipment.shippedAt, estimatedDelivery: shipment.eta,
                                            isReplacement: shipment.replacementFor != nil)
        outcome.emit(dispatched, to: .billing, key: order.id.rawValue, correlationId: order.ref.correlationId)
    }
}
