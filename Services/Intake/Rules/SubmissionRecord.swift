import Foundation
import OrderModel
import DepartmentKit

/// Intake's memory of a submission, kept forever under `channel:externalOrderId` so the
/// same order submitted again never creates a second order, whether the first was
/// accepted or rejected.
public struct SubmissionRecord: StateRecord, Hashable {
    public static let kind = "intake.submission"

    /// What intake made of the first submission.
    public enum Outcome: String, Codable, Sendable, Hashable { case accepted, rejected }

    public var orderId: OrderID
    public var outcome: Outcome
    /// When intake first handled it.
    public var handledAt: Date
    /// The inbox id of the first submission (`orders.submitted/<partition>/<offset>/<digest>`).
    public var firstEventId: String

    public init(orderId: OrderID, outcome: Outcome, handledAt: Date, firstEventId: String) {
        self.orderId = orderId
        self.outcome = outcome
        self.handledAt = handledAt
        self.firstEventId = firstEventId
    }

    /// The dedupe key: `channel:externalOrderId`, the order's correlation id.
    public static func key(channel: String, externalOrderId: String) -> String { "\(channel):\(externalOrderId)" }
}
