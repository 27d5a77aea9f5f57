import OrderModel
import DepartmentKit

/// What identifies a submission: (`channel`, `externalOrderId`). Without it intake can
/// neither dedupe nor publish a rejection, so such a message goes to the dead letter.
struct SubmissionIdentity {
    var channel: String
    var externalOrderId: String

    /// The identity of `submission`; throws `RuleViolation` (→ dead letter) when the
    /// schema version is not one intake reads or the identity is missing.
    init(_ submission: OrderSubmission) throws(RuleViolation) {
        guard let version = submission.schemaVersion, OrderSubmission.supportedSchemaVersions.contains(version) else {
            throw RuleViolation("unsupported_schema_version: schemaVersion \(submission.schemaVersion.map(String.init) ?? "missing") is not supported")
        }
        guard let channel = submission.channel?.trimmed, !channel.isEmpty,
              let external = submission.externalOrderId?.trimmed, !external.isEmpty else {
            throw RuleViolation("invalid_shape: channel and externalOrderId are required to identify the order")
        }
        self.channel = channel
        self.externalOrderId = external
    }

    /// The dedupe key, `channel:externalOrderId`.
    var key: String { SubmissionRecord.key(channel: channel, externalOrderId: externalOrderId) }

    func ref(_ id: OrderID) -> OrderRef { OrderRef(orderId: id, channel: channel, externalOrderId: externalOrderId) }
}
