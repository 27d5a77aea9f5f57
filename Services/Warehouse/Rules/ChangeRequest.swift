import Foundation
import DepartmentKit
import OrderModel

extension WarehouseRules {
    /// `order.change-requested` (forwarded by review). Held here (or already back with
    /// review) → reservations released, dropped from the backorder queue,
    /// `order.returned-for-change` to review, and the freed stock serves the backorder
    /// queue. Handed to logistics → refused (`already_shipped`). Cancelled → refused
    /// (`order_not_open`). Not here yet → returned for change on arrival.
    func change(_ request: ChangeRequested, state: any StateStore, context: HandlerContext) throws -> HandlerOutcome {
        var outcome = HandlerOutcome()
        guard var record = try state.warehouseOrder(request.orderId) else {
            try awaitOrder(request.orderId, state: state) { $0.change = request }
            outcome.log(.notice, "change for \(request.orderId) before its release reached the warehouse; it goes back to review on arrival")
            return outcome
        }
        switch record.stage {
        case .handedOver:
            refuse(request, of: record, .alreadyShipped, "the order has left the warehouse for shipping",
                   into: &outcome, context: context)
        case .cancelled:
            refuse(request, of: record, .orderNotOpen, "the order is cancelled", into: &outcome, context: context)
        case .backordered, .picking, .checking, .packing, .inspecting, .returnedForChange:
            try returnForChange(&record, request, ledger: StockLedger(state: state), into: &outcome)
            try save(record, in: state)
            try fillBackorders(state: state, into: &outcome, context: context)
        }
        return outcome
    }

    /// Gives back what the order reserved and sends it with the change to review, which
    /// applies the change and reviews the order again.
    func returnForChange(_ record: inout WarehouseOrderRecord, _ request: ChangeRequested, ledger: StockLedger,
                         into outcome: inout HandlerOutcome) throws {
        try ledger.release(record.reserved)
        record.reserved = .none
        record.stage = .returnedForChange
        record.stepDueAt = nil
        let order = record.order
        outcome.emit(OrderReturnedForChange(orderId: order.id, change: request), to: .review, key: order.id.rawValue,
                     correlationId: order.ref.correlationId)
    }

    private func refuse(_ request: ChangeRequested, of record: WarehouseOrderRecord, _ code: ReasonCode, _ message: String,
                        into outcome: inout HandlerOutcome, context: HandlerContext) {
        let ref = record.order.ref
        let refusal = RequestRefused(ref: ref, request: .change, status: record.status, reasons: [Reason(code, message)],
                                     department: department, at: context.now)
        outcome.emit(refusal, to: .status, key: ref.orderId.rawValue, correlationId: ref.correlationId)
    }
}
