import Foundation
import OrderModel
import DepartmentKit

/// One event's worth of review work: the rules' configuration, the department's state,
/// the time, and what the handling decided so far. The `ReviewDesk+…` files hold the
/// rules per event; this file holds the bookkeeping they share.
struct ReviewDesk {
    let config: ReviewConfig
    let department: String
    let state: any StateStore
    let context: HandlerContext
    var outcome = HandlerOutcome()

    // MARK: Orders

    func load(_ id: OrderID) throws -> ReviewedOrder? { try state.get(ReviewedOrder.self, id.rawValue) }

    func save(_ record: ReviewedOrder) throws { try state.put(record, record.order.id.rawValue) }

    /// Moves the order to `stage` and saves it; starts the review stage clock when the
    /// order starts waiting (again) and stops it otherwise.
    func enter(_ stage: ReviewStage, _ record: inout ReviewedOrder) throws {
        record.stage = stage
        try save(record)
        let key = record.order.id.rawValue
        if stage.isHeld {
            try state.put(ReviewWait(ref: record.order.ref, status: stage.status, since: context.now), key)
            try state.schedule(StageLimit.timer, key: key, at: StageLimit(config: config, department: department).deadline(since: context.now))
        } else {
            try state.remove(ReviewWait.self, key)
            try state.cancelTimer(StageLimit.timer, key: key)
        }
    }

    // MARK: Publishing

    mutating func publish(_ status: OrderStatus, of order: Order, reasons: [Reason]? = nil, details: [String: String]? = nil) {
        outcome.status(order.ref, status, reasons: reasons, department: department, at: context.now, details: details)
    }

    mutating func send<P: EventPayload>(_ payload: P, to topic: Topic, about order: Order) {
        outcome.emit(payload, to: topic, key: order.id.rawValue, correlationId: order.ref.correlationId)
    }

    /// `order.request-refused` for a cancellation or change review cannot carry out.
    mutating func refuse(_ request: RequestRefused.Request, ref: OrderRef, status: OrderStatus, reasons: [Reason]) {
        let refusal = RequestRefused(ref: ref, request: request, status: status, reasons: reasons, department: department, at: context.now)
        outcome.emit(refusal, to: .status, key: ref.orderId.rawValue, correlationId: ref.correlationId)
    }

    /// Refuses a request about an order review has never seen. Its channel identity is
    /// unknown (left empty) and so is its status (`unknown`).
    mutating func refuseUnknown(_ request: RequestRefused.Request, _ id: OrderID) {
        outcome.log(.notice, "\(request.rawValue) request for unknown order \(id) refused")
        refuse(request, ref: OrderRef(orderId: id, channel: "", externalOrderId: ""), status: OrderStatus(rawValue: "unknown"),
               reasons: [Reason(.orderNotOpen, "order \(id) is not known")])
    }

    /// Refuses a request about an order that is already rejected or cancelled.
    mutating func refuseFinal(_ request: RequestRefused.Request, _ record: ReviewedOrder) {
        outcome.log(.notice, "\(request.rawValue) request for \(record.order.id) refused: already \(record.stage.rawValue)")
        refuse(request, ref: record.order.ref, status: record.stage.status,
               reasons: [Reason(.orderNotOpen, "order \(record.order.id) is already \(record.stage.status)")])
    }

    // MARK: Credit exposure

    /// Counts the order's gross (less payments applied) in its customer's exposure, if it
    /// is not counted yet.
    mutating func countExposure(_ record: inout ReviewedOrder) throws {
        let target = record.order.totals.gross.subtractingClamped(record.paymentsApplied)
        let increase = target - record.openExposure
        guard !increase.isZero else { return }
        try adjustExposure(of: record.order.customerId, by: increase)
        record.openExposure = target
    }

    /// Takes what the order still adds out of its customer's exposure.
    mutating func releaseExposure(_ record: inout ReviewedOrder) throws {
        guard !record.openExposure.isZero else { return }
        try adjustExposure(of: record.order.customerId, by: .zero(record.openExposure.currency) - record.openExposure)
        record.openExposure = .zero(record.order.currency)
    }

    /// Adds `delta` (negative lowers) to the customer's exposure, never below zero. An
    /// amount in another currency than the exposure is kept in is not added (logged).
    mutating func adjustExposure(of customerId: CustomerID, by delta: Money) throws {
        var book = try state.get(CustomerExposure.self, customerId.rawValue)
            ?? CustomerExposure(customerId: customerId, amount: .zero(delta.currency))
        if book.amount.currency != delta.currency {
            guard book.amount.isZero else {
                outcome.log(.warning, "exposure of \(customerId) is kept in \(book.amount.currency); \(delta) not applied")
                return
            }
            book.amount = .zero(delta.currency)
        }
        book.amount = (book.amount + delta).subtractingClamped(.zero(delta.currency))
        try state.put(book, customerId.rawValue)
    }
}
