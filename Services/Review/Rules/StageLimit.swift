import Foundation
import OrderModel
import DepartmentKit

/// The review stage time limit: an order waiting in `pending_approval` or
/// `awaiting_deposit` longer than `ReviewConfig.stageLimit` gets one
/// `order.sla-breached` per wait.
struct StageLimit {
    let config: ReviewConfig
    let department: String

    func sweep(state: any StateStore, context: HandlerContext) throws -> HandlerOutcome {
        var outcome = HandlerOutcome()
        for (key, wait) in try state.all(ReviewWait.self) where context.now.timeIntervalSince(wait.since) > config.stageLimit {
            let breach = SLABreached(ref: wait.ref, stage: "review", status: wait.status, since: wait.since,
                                     limitSeconds: Int(config.stageLimit.rounded(.up)), department: department, at: context.now)
            outcome.emit(breach, to: .status, key: wait.ref.orderId.rawValue, correlationId: wait.ref.correlationId)
            try state.remove(ReviewWait.self, key)
        }
        return outcome
    }
}
