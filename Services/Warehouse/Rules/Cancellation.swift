import Foundation
import DepartmentKit
import OrderModel

extension WarehouseRules {
    /// `order.cancellation-requested` (forwarded by review). Held here → reservations
    /// released (or the backorder queue left), `cancelled`, `order.cancelled` to billing
    /// and review, and the freed stock serves the backorder queue at once. Handed to
    /// logistics → forwarded there. Not here yet → cancelled on arrival. Already
    /// cancelled → nothing more.
    func cancel(_ request: CancellationRequested, state: any StateStore, context: HandlerContext) throws -> HandlerOutcome {
        var outcome = HandlerOutcome()
        guard var record = try state.warehouseOrder(request.orderId) else {
            try awaitOrder(request.orderId, state: state) { $0.cancellation = request }
            outcome.log(.notice, "cancellation for \(request.orderId) before its release reached the warehouse; it will be cancelled on arrival")
            return outcome
        }
        switch record.stage {
        case .handedOver:
            outcome.emit(request, to: .logistics, key: request.orderId.rawValue, correlationId: record.order.ref.correlationId)
            outcome.log(.notice, "cancellation for \(request.orderId) forwarded to logistics: it left the warehouse")
        case .cancelled:
            outcome.log(.notice, "cancellation for \(request.orderId) again; it is already cancelled")
        case .backordered, .picking, .checking, .packing, .inspecting, .returnedForChange:
            try cancel(&record, as: request, ledger: StockLedger(state: state), into: &outcome, context: context)
            try save(record, in: state)
            try fillBackorders(state: state, into: &outcome, context: context)
        }
        return outcome
    }

    /// Cancels an order the warehouse holds: gives back what it reserved, publishes
    /// `cancelled` (`cancelled_by_customer`) and tells billing and review.
    func cancel(_ record: inout WarehouseOrderRecord, as request: CancellationRequested, ledger: StockLedger,
                into outcome: inout HandlerOutcome, context: HandlerContext) throws {
        try ledger.release(record.reserved)
        record.reserved = .none
        record.stage = .cancelled
        record.status = .cancelled
        record.stepDueAt = nil
        let order = record.order
        var message = request.reason ?? "cancelled at the customer's request"
        if let requestedBy = request.requestedBy { message += " (requested by \(requestedBy))" }
        let reasons = [Reason(.cancelledByCustomer, message)]
        outcome.status(order.ref, .cancelled, reasons: reasons, department: department, at: context.now)
        let cancelled = OrderCancelled(ref: order.ref, customerId: order.customerId, reasons: reasons, cancelledBy: department)
        outcome.emit(cancelled, to: .billing, key: order.id.rawValue, correlationId: order.ref.correlationId)
        outcome.emit(cancelled, to: .review, key: order.id.rawValue, correlationId: order.ref.correlationId)
    }

    /// Keeps a request for an order whose release has not arrived yet.
    func awaitOrder(_ orderId: OrderID, state: any StateStore,
                    _ update: (inout WarehouseAwaitedRequestRecord) -> Void) throws {
        var awaited = try state.get(WarehouseAwaitedRequestRecord.self, orderId.rawValue)
            ?? WarehouseAwaitedRequestRecord(orderId: orderId)
        update(&awaited)
        try state.put(awaited, orderId.rawValue)
    }
}
