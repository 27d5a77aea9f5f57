import Foundation
import OrderModel

// Intake's dedupe record writes its own JSON (one per submission; the generic `Encoder`
// path cost more than writing it). The bytes are exactly Foundation's sorted-keys output of
// the `Codable` conformance (`IntakeRecordJSONTests` compare them).

extension SubmissionRecord: DirectJSONEncodable {
    package func writeJSON(to writer: JSONByteWriter) {
        var object = JSONObjectWriter(writer)
        object.string("firstEventId", firstEventId)
        object.date("handledAt", handledAt)
        object.identifier("orderId", orderId)
        object.identifier("outcome", outcome)
        object.close()
    }
}
