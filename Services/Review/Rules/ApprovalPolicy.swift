import Foundation
import OrderModel

/// How many people must approve an order: one level per configured threshold its gross
/// exceeds, and at least one for the configured customer tiers.
struct ApprovalPolicy {
    let config: ReviewConfig

    func requiredApprovals(gross: Money, tier: String) -> Int {
        let levels = config.approvalThresholds.filter { gross.amount > $0 }.count
        return config.approvalTiers.contains(tier) ? max(levels, 1) : levels
    }
}
