import Foundation
import OrderModel
import DepartmentKit

/// `review.decided`: a person's decision on an order in `pending_approval`.
extension ReviewDesk {
    /// `reject` → `rejected` (`rejected_by_reviewer`). `approve` by a reviewer who has not
    /// approved the order yet → one more level; all levels reached → approved. A decision
    /// on an order that is not pending has no effect (a notice is logged).
    mutating func decide(_ decision: ReviewDecided) throws {
        let what = "\(decision.decision.rawValue) by \(decision.reviewer) on \(decision.orderId)"
        guard var record = try load(decision.orderId) else {
            outcome.log(.notice, "\(what) ignored: the order is not known here")
            return
        }
        guard record.stage == .pendingApproval else {
            outcome.log(.notice, "\(what) ignored: the order is \(record.stage.rawValue), not pending approval")
            return
        }
        let reviewer = decision.reviewer.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !reviewer.isEmpty else {
            outcome.log(.warning, "decision on \(decision.orderId) without a reviewer ignored")
            return
        }
        switch decision.decision {
        case .reject:
            let comment = decision.comment?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            let message = "rejected by \(reviewer)" + (comment.isEmpty ? "" : ": \(comment)")
            try reject(&record, reasons: [Reason(.rejectedByReviewer, message)], details: ["reviewer": reviewer])
        case .approve:
            guard !record.approvedBy.contains(where: { $0.caseInsensitiveCompare(reviewer) == .orderedSame }) else {
                outcome.log(.notice, "\(reviewer) already approved \(decision.orderId); a second approval needs another reviewer")
                return
            }
            record.approvedBy.append(reviewer)
            if record.approvedBy.count >= record.requiredApprovals {
                try approve(&record)
            } else {
                try save(record)
                outcome.log(.info, "\(decision.orderId) approved by \(reviewer): \(record.approvedBy.count) of \(record.requiredApprovals) approvals")
            }
        }
    }
}
