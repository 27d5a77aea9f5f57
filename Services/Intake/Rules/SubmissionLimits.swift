import DepartmentKit
import OrderModel

/// How big a submission intake takes: lines per order, the length of each text field, the
/// size of the message. A submission over any limit is not validated further (the reasons
/// would repeat the oversized input): it is `rejected` with `too_large` reasons on
/// `orders.status`, or, when its identity (`channel`, `externalOrderId`) itself is over the
/// limit and so cannot be put in a status event, dead-lettered with reason `too_large`.
///
/// The defaults keep every event intake emits for an accepted order well under the 1 MB
/// that brokers and librdkafka take by default (`IntakeLimitsTests` checks an order at
/// every limit). Each limit has an `ORDERFLOW_INTAKE_<NAME>` variable (see the README).
public struct SubmissionLimits: Sendable, Hashable {
    /// At most this many lines per order (`ORDERFLOW_INTAKE_MAX_LINES`). Default 500.
    public var maxLines: Int
    /// At most this many characters (Unicode scalars) in any text field but `notes`:
    /// identity, customer, currency, SKU, prices, dates, ship-to fields, terms
    /// (`ORDERFLOW_INTAKE_MAX_FIELD_LENGTH`). Default 200.
    public var maxFieldLength: Int
    /// At most this many characters in `notes` (`ORDERFLOW_INTAKE_MAX_NOTES_LENGTH`). Default 2000.
    public var maxNotesLength: Int
    /// At most this many bytes in the submission message's value
    /// (`ORDERFLOW_INTAKE_MAX_SUBMISSION_BYTES`). Default 262144 (256 KiB).
    public var maxSubmissionBytes: Int

    /// At most this many `too_large` reasons are listed; the last one says how many more.
    static let maxReasons = 10

    public init(maxLines: Int = 500, maxFieldLength: Int = 200, maxNotesLength: Int = 2000, maxSubmissionBytes: Int = 262_144) {
        self.maxLines = maxLines
        self.maxFieldLength = maxFieldLength
        self.maxNotesLength = maxNotesLength
        self.maxSubmissionBytes = maxSubmissionBytes
    }

    /// Throws `RuleViolation` with code `too_large` (→ dead letter) when `channel` or
    /// `externalOrderId` is longer than `maxFieldLength`: a status event must carry them whole.
    func checkIdentity(_ submission: OrderSubmission) throws(RuleViolation) {
        for (field, value) in [("channel", submission.channel), ("externalOrderId", submission.externalOrderId)] {
            if let value, let length = Self.overLimit(value, maxFieldLength) {
                throw RuleViolation("too_large: \(field) is \(length) characters long; at most \(maxFieldLength) are taken",
                                    code: "too_large")
            }
        }
    }

    /// The `too_large` reasons of `submission` (empty when it is within every limit).
    /// `byteCount` is the size of the message it was read from, when known.
    func violations(of submission: OrderSubmission, byteCount: Int?) -> [Reason] {
        var found: [String] = []
        if let byteCount, byteCount > maxSubmissionBytes {
            found.append("the submission is \(byteCount) bytes; at most \(maxSubmissionBytes) are taken")
        }
        if let lines = submission.lines, lines.count > maxLines {
            found.append("the submission has \(lines.count) lines; at most \(maxLines) are taken")
        }
        func check(_ field: String, _ value: String?, limit: Int) {
            if let value, let length = Self.overLimit(value, limit) {
                found.append("\(field) is \(length) characters long; at most \(limit) are taken")
            }
        }
        check("customerId", submission.customerId, limit: maxFieldLength)
        check("currency", submission.currency, limit: maxFieldLength)
        check("submittedAt", submission.submittedAt, limit: maxFieldLength)
        check("requestedDeliveryDate", submission.requestedDeliveryDate, limit: maxFieldLength)
        check("paymentTerms", submission.paymentTerms, limit: maxFieldLength)
        check("shippingMethod", submission.shippingMethod, limit: maxFieldLength)
        check("priority", submission.priority, limit: maxFieldLength)
        check("notes", submission.notes, limit: maxNotesLength)
        if let shipTo = submission.shipTo {
            let fields = [("name", shipTo.name), ("phone", shipTo.phone), ("line1", shipTo.line1), ("line2", shipTo.line2),
                          ("city", shipTo.city), ("region", shipTo.region), ("postalCode", shipTo.postalCode), ("country", shipTo.country)]
            for (field, value) in fields { check("shipTo.\(field)", value, limit: maxFieldLength) }
        }
        for (index, line) in (submission.lines ?? []).enumerated() {
            check("line \(index + 1): sku", line.sku, limit: maxFieldLength)
            check("line \(index + 1): quantity", line.quantity?.stringValue, limit: maxFieldLength)
            check("line \(index + 1): unitPrice", line.unitPrice?.stringValue, limit: maxFieldLength)
        }
        guard found.count > Self.maxReasons else { return found.map { Reason(.tooLarge, $0) } }
        let listed = found.prefix(Self.maxReasons - 1).map { Reason(.tooLarge, $0) }
        return listed + [Reason(.tooLarge, "and \(found.count - listed.count) more fields over their limits")]
    }

    /// The length of `text` in Unicode scalars when it is over `limit`, else nil (a text of
    /// at most `limit` UTF-8 bytes is within it without counting).
    private static func overLimit(_ text: String, _ limit: Int) -> Int? {
        guard text.utf8.count > limit else { return nil }
        let scalars = text.unicodeScalars.count
        return scalars > limit ? scalars : nil
    }
}
