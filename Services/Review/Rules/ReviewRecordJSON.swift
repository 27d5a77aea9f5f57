import Foundation
import OrderModel

// Review's order record writes its own JSON: it is stored with every decision and payment
// of its order, and the generic `Encoder` path cost more than the rules that changed it.
// The bytes are exactly Foundation's sorted-keys output of the `Codable` conformance
// (members in byte order of their keys; `ReviewRecordJSONTests` compare fully populated
// values, so a member added to this type fails them until it is written here too).

extension ReviewedOrder: DirectJSONEncodable {
    package func writeJSON(to writer: JSONByteWriter) throws {
        var object = JSONObjectWriter(writer)
        object.strings("approvedBy", approvedBy)
        try object.object("depositRequested", depositRequested)
        try object.object("openExposure", openExposure)
        try object.order("order", order)
        try object.object("paymentsApplied", paymentsApplied)
        object.integer("requiredApprovals", requiredApprovals)
        object.identifier("stage", stage)
        object.close()
    }
}
