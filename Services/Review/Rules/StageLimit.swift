import Foundation
import OrderModel
import DepartmentKit

/// The review stage time limit: an order waiting in `pending_approval` or
/// `awaiting_deposit` longer than `ReviewConfig.stageLimit` gets one
/// `order.sla-breached` per wait.
struct StageLimit {
    let config: ReviewConfig
    let department: String

    /// The timer that wakes review when an order's wait passes the limit.
    static let timer = "review.stage-limit"

    /// The first moment a wait that began at `since` is past the limit.
    func deadline(since: Date) -> Date { since.addingTimeInterval(config.stageLimit + 0.001) }

    /// The order's timer: publishes the breach if the order still waits and is past the
    /// limit (then forgets the wait, so it is published once per wait).
    func check(_ key: String, state: any StateStore, context: HandlerContext) throws -> HandlerOutcome {
        var outcome = HandlerOutcome()
        guard let wait = try state.get(ReviewWait.self, key) else { return outcome }
        guard context.now.timeIntervalSince(wait.since) > config.stageLimit else {
            try state.schedule(Self.timer, key: key, at: deadline(since: wait.since))
            return outcome
        }
        let breach = SLABreached(ref: wait.ref, stage: "review", status: wait.status, since: wait.since,
                                 limitSeconds: Int(config.stageLimit.rounded(.up)), department: department, at: context.now)
        outcome.emit(breach, to: .status, key: wait.ref.orderId.rawValue, correlationId: wait.ref.correlationId)
        try state.remove(ReviewWait.self, key)
        return outcome
    }
}
