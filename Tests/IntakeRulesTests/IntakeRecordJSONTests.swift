import Foundation
@testable import IntakeRules
@testable import OrderModel
import Testing

/// Intake's dedupe record writes its own JSON (`IntakeRecordJSON.swift`): exactly the bytes
/// of its `Codable` conformance through Foundation's sorted-keys encoder.
@Suite("Intake's dedupe record writes Foundation's bytes")
struct IntakeRecordJSONTests {
    @Test("accepted and rejected submissions")
    func record() throws {
        for outcome in [SubmissionRecord.Outcome.accepted, .rejected] {
            let record = SubmissionRecord(orderId: OrderID("SO-2026-000042"), outcome: outcome,
                                          handledAt: IntakeFixtures.now.addingTimeInterval(0.007), firstEventId: "evt-\"1\"")
            #expect(record is any DirectJSONEncodable)
            let direct = try CompactJSONEncoder().encode(record)
            #expect(String(decoding: direct, as: UTF8.self) == String(decoding: try OrderFlowJSON.encoder.encode(record), as: UTF8.self))
        }
    }
}
