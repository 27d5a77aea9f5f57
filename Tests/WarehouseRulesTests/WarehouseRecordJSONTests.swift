import Foundation
@testable import OrderModel
@testable import WarehouseRules
import Testing

/// The warehouse's order record writes its own JSON (`WarehouseRecordJSON.swift`): exactly
/// the bytes of its `Codable` conformance through Foundation's sorted-keys encoder.
@Suite("The warehouse's order record writes Foundation's bytes")
struct WarehouseRecordJSONTests {
    func expectFoundationBytes<T: Encodable>(_ value: T) throws {
        #expect(value is any DirectJSONEncodable, "written directly, not through Encoder")
        let direct = try CompactJSONEncoder().encode(value)
        let foundation = try OrderFlowJSON.encoder.encode(value)
        #expect(String(decoding: direct, as: UTF8.self) == String(decoding: foundation, as: UTF8.self))
    }

    @Test("a record with every member set, and a fresh one; the packed event")
    func record() throws {
        let order = Fixture.order(1, [("PUMP-200", 3), ("VALVE-DN50", 4)])
        var record = WarehouseOrderRecord(order: order, stage: .backordered, status: .backordered, releaseSequence: 7)
        try expectFoundationBytes(record)
        record.stage = .inspecting
        record.status = .packed
        record.reserved = record.demand
        record.attempt = 3
        record.stepDueAt = Fixture.now.addingTimeInterval(0.25)
        record.allocatedAt = Fixture.now
        record.fulfilmentLimitBreached = true
        record.releaseSequence = 9_000_000_000
        try expectFoundationBytes(record)
        try expectFoundationBytes(OrderPacked(order: order, packages: 2))
    }
}
