import Foundation
import OrderModel

/// How urgent an order is when the submission does not say: big customers and big orders
/// first, small customers last.
struct PriorityPolicy {
    let config: IntakeConfig

    /// Tier in `highPriorityTiers` or gross ≥ `highPriorityGross` → `high`; tier in
    /// `lowPriorityTiers` → `low`; otherwise `normal`.
    func priority(tier: String, gross: Money) -> Priority {
        if config.highPriorityTiers.contains(tier) || gross.amount >= config.highPriorityGross { return .high }
        if config.lowPriorityTiers.contains(tier) { return .low }
        return .normal
    }
}
