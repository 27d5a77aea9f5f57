import Foundation
import OrderModel

/// A change request applied to an order: new quantities per SKU (0 removes the SKU's
/// lines) and/or a new requested delivery date. Only SKUs already on the order can be
/// changed (a change carries no price); the whole change is refused if any part is wrong.
struct OrderChange {
    /// The changed order, or why the change cannot be made.
    enum Result {
        case changed(Order)
        case refused([Reason])
    }

    let request: ChangeRequested

    func apply(to order: Order) -> Result {
        let lineChanges = request.lines ?? []
        let reasons = problems(lineChanges, order: order)
        guard reasons.isEmpty else { return .refused(reasons) }

        let newQuantities = Dictionary(lineChanges.map { ($0.sku, $0.quantity) }, uniquingKeysWith: { _, last in last })
        var changedSKUs = Set<SKU>()
        var lines: [OrderLine] = []
        for line in order.lines {
            guard let quantity = newQuantities[line.sku] else {
                lines.append(line)
                continue
            }
            // The new quantity is the SKU's total: it goes on the SKU's first line.
            guard quantity > 0, changedSKUs.insert(line.sku).inserted else { continue }
            var changed = line
            changed.quantity = quantity
            lines.append(changed)
        }
        var changed = order
        changed.replaceLines(lines)
        if let date = request.requestedDeliveryDate { changed.requestedDeliveryDate = date }
        return .changed(changed)
    }

    private func problems(_ lineChanges: [ChangeRequested.LineChange], order: Order) -> [Reason] {
        var reasons: [Reason] = []
        if lineChanges.isEmpty && request.requestedDeliveryDate == nil {
            reasons.append(Reason(.invalidSubmission, "the change names neither lines nor a delivery date"))
        }
        var named = Set<SKU>()
        for change in lineChanges {
            if change.quantity < 0 {
                reasons.append(Reason(.invalidQuantity, "SKU \(change.sku): quantity must be 0 (remove) or more, got \(change.quantity)"))
            }
            if !order.lines.contains(where: { $0.sku == change.sku }) {
                reasons.append(Reason(.unknownSKU, "SKU \(change.sku) is not on order \(order.id); a change can only alter quantities of its lines"))
            }
            if !named.insert(change.sku).inserted {
                reasons.append(Reason(.invalidSubmission, "SKU \(change.sku) is named more than once"))
            }
        }
        return reasons
    }
}
