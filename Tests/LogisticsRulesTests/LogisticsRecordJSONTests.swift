import Foundation
@testable import LogisticsRules
@testable import OrderModel
import Testing

/// Logistics' order record writes its own JSON (`LogisticsRecordJSON.swift`): exactly the
/// bytes of its `Codable` conformance through Foundation's sorted-keys encoder.
@Suite("Logistics' order record writes Foundation's bytes")
struct LogisticsRecordJSONTests {
    func expectFoundationBytes<T: Encodable>(_ value: T) throws {
        #expect(value is any DirectJSONEncodable, "written directly, not through Encoder")
        let direct = try CompactJSONEncoder().encode(value)
        let foundation = try OrderFlowJSON.encoder.encode(value)
        #expect(String(decoding: direct, as: UTF8.self) == String(decoding: foundation, as: UTF8.self))
    }

    @Test("a record with every member set, and a sparse one")
    func record() throws {
        let order = Fixture.order()
        let first = Shipment(id: "SH-1", number: 1, carrier: .express, trackingNumber: "EX\\1", shippedAt: Fixture.now,
                             eta: Fixture.now.addingTimeInterval(172_800.25))
        var record = LogisticsOrderRecord(order: order, shipments: [first], status: .shipped)
        try expectFoundationBytes(record)
        var second = Shipment(id: "SH-2", number: 2, carrier: .freight, trackingNumber: "FR-2", shippedAt: Fixture.now.addingTimeInterval(1),
                              eta: Fixture.now.addingTimeInterval(3), replacementFor: "SH-1")
        second.progress = .delivered
        second.reportedInTransit = true
        second.reportedDelays = [Fixture.now.addingTimeInterval(0.5), Fixture.now.addingTimeInterval(7)]
        second.reportedException = "damaged \"box\""
        second.simulatedScans = [.inTransit, .delivered]
        record.shipments.append(second)
        record.deliveredAt = Fixture.now.addingTimeInterval(9.999)
        record.deliveryResponse = .disputed
        record.deliveryLimitBreached = true
        record.status = .delivered
        try expectFoundationBytes(record)
    }

    @Test("the events logistics sends: dispatch, delivery, scans")
    func events() throws {
        let order = Fixture.order()
        try expectFoundationBytes(ShipmentDispatched(order: order, shipmentId: "SH-1", carrier: "postal", trackingNumber: "PO-1",
                                                     lines: order.lines, shippedAt: Fixture.now, estimatedDelivery: nil, isReplacement: false))
        try expectFoundationBytes(ShipmentDispatched(order: order, shipmentId: "SH-2", carrier: "express", trackingNumber: "EX-2",
                                                     lines: [], shippedAt: Fixture.now, estimatedDelivery: Fixture.now.addingTimeInterval(0.001),
                                                     isReplacement: true))
        try expectFoundationBytes(ShipmentDelivered(ref: order.ref, shipmentId: "SH-1", deliveredAt: Fixture.now))
        try expectFoundationBytes(ShipmentTrackingUpdated(orderId: order.id, trackingNumber: "T", event: .inTransit, at: Fixture.now))
        try expectFoundationBytes(ShipmentTrackingUpdated(orderId: order.id, trackingNumber: "T", event: .exception, at: Fixture.now,
                                                          eta: Fixture.now.addingTimeInterval(5), exception: .lost, detail: "门口 \n"))
    }
}
