import Foundation
import OrderModel

/// How far below list price an order is sold: the deepest discount of any line, in
/// percent of its list price (lines at or above list count as 0).
enum DiscountDepth {
    static func maxPercent(_ order: Order) -> Decimal {
        order.lines.reduce(Decimal(0)) { deepest, line in
            guard line.listPrice.amount > 0 else { return deepest }
            let percent = (line.listPrice.amount - line.unitPrice.amount) / line.listPrice.amount * 100
            return max(deepest, percent)
        }
    }

    /// `maxPercent` as it goes into status details, e.g. `"25.00"`.
    static func formatted(_ order: Order) -> String { ExactDecimal.format(maxPercent(order), scale: 2) }
}
