import Foundation
import OrderModel
import DepartmentKit

/// Changes to an order before shipment: applied and reviewed again here, or forwarded
/// to the warehouse, which returns the order for change after releasing its stock.
extension ReviewDesk {
    /// `order.change-requested`: checked first (a wrong change is refused whoever holds
    /// the order); held here → applied and reviewed again; released → forwarded to the
    /// warehouse; unknown or final → refused with `order_not_open`.
    mutating func changeRequested(_ request: ChangeRequested) throws {
        guard var record = try load(request.orderId) else {
            refuseUnknown(.change, request.orderId)
            return
        }
        guard !record.stage.isFinal else {
            refuseFinal(.change, record)
            return
        }
        switch OrderChange(request: request).apply(to: record.order) {
        case .refused(let reasons):
            outcome.log(.notice, "change of \(record.order.id) refused: \(reasons.map(\.message).joined(separator: "; "))")
            refuse(.change, ref: record.order.ref, status: record.stage.status, reasons: reasons)
        case .changed(let changed):
            if record.stage == .released {
                send(request, to: .warehouse, about: record.order)
                outcome.log(.info, "change of \(record.order.id) forwarded to the warehouse (released)")
            } else {
                try carryOut(changed, on: &record)
            }
        }
    }

    /// `order.returned-for-change`: the warehouse released the order's stock; the change
    /// is applied and the order reviewed again. A change that no longer applies sends the
    /// unchanged order back to the warehouse.
    mutating func returnedForChange(_ returned: OrderReturnedForChange) throws {
        guard var record = try load(returned.orderId), record.stage == .released else {
            outcome.log(.warning, "order.returned-for-change for \(returned.orderId) ignored: not released by review")
            return
        }
        switch OrderChange(request: returned.change).apply(to: record.order) {
        case .refused(let reasons):
            outcome.log(.warning, "returned change of \(record.order.id) cannot be applied (\(reasons.map(\.message).joined(separator: "; "))); released unchanged")
            try release(&record)
        case .changed(let changed):
            try carryOut(changed, on: &record)
        }
    }

    /// A change that leaves no lines cancels the order; any other is reviewed like a new
    /// order (exposure recomputed, approvals asked again).
    private mutating func carryOut(_ changed: Order, on record: inout ReviewedOrder) throws {
        guard !changed.lines.isEmpty else {
            try cancel(&record, reason: Reason(.cancelledByCustomer, "the change removed every line of the order"))
            return
        }
        record.order = changed
        try review(&record)
    }
}
