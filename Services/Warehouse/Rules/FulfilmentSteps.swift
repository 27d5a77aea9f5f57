import Foundation
import DepartmentKit
import OrderModel

extension WarehouseRules {
    /// `warehouse.task-completed`: a worker confirms a step. Only the step the order waits
    /// for is accepted; anything else (a step out of order, a repeat, an order not in
    /// fulfilment) is logged and ignored. `passed` matters for `inspected` only; a
    /// confirmation without it counts as passed. Accepted in demo mode too.
    func confirm(_ task: WarehouseTaskCompleted, state: any StateStore, context: HandlerContext) throws -> HandlerOutcome {
        var outcome = HandlerOutcome()
        guard var record = try state.warehouseOrder(task.orderId) else {
            outcome.log(.notice, "task \(task.step.rawValue) for \(task.orderId), which the warehouse does not hold; ignored")
            return outcome
        }
        guard let expected = record.stage.expectedStep, expected == task.step else {
            let waitingFor = record.stage.expectedStep.map { "waits for \($0.rawValue)" } ?? "has no open task"
            outcome.log(.notice, "task \(task.step.rawValue) for \(task.orderId) ignored: it is \(record.stage.rawValue) and \(waitingFor)")
            return outcome
        }
        try complete(task.step, passed: task.passed ?? true, note: task.note, of: &record, state: state,
                     into: &outcome, context: context)
        try save(record, in: state)
        return outcome
    }

    /// Demo mode: completes the order's current step when it is due, and the steps after
    /// it that are due at once too (steps set to take no time), up to and including one
    /// inspection; inspection fails with probability `qcFailureRate`, decided by
    /// `StableDice` per order and attempt.
    func advanceIfDue(_ record: inout WarehouseOrderRecord, state: any StateStore, into outcome: inout HandlerOutcome,
                      context: HandlerContext) throws {
        while let step = record.stage.expectedStep, let due = record.stepDueAt, due <= context.now {
            let passed = step != .inspected || !inspectionFails(record)
            try complete(step, passed: passed, note: nil, of: &record, state: state, into: &outcome, context: context)
            if step == .inspected { return }
        }
    }

    /// The simulated inspector's verdict for the order's current attempt.
    func inspectionFails(_ record: WarehouseOrderRecord) -> Bool {
        StableDice.roll("\(record.order.id.rawValue)#\(record.attempt)") < config.qcFailureRate
    }

    /// Moves the order past `step`: to the next step, or — after inspection — to
    /// logistics when it passed, back to picking when it failed.
    func complete(_ step: WarehouseTaskCompleted.Step, passed: Bool, note: String?, of record: inout WarehouseOrderRecord,
                  state: any StateStore, into outcome: inout HandlerOutcome, context: HandlerContext) throws {
        guard step == .inspected else {
            let next = FulfilmentStage.after(step)
            record.stage = next
            record.stepDueAt = next.expectedStep.map { context.now.addingTimeInterval(config.duration(of: $0)) }
            return
        }
        if passed {
            try handOver(&record, ledger: StockLedger(state: state), into: &outcome, context: context)
        } else {
            failInspection(&record, note: note, into: &outcome, context: context)
        }
    }

    /// Inspection passed: the goods leave the books, the order is `packed` and goes to
    /// logistics (one package per order line).
    func handOver(_ record: inout WarehouseOrderRecord, ledger: StockLedger, into outcome: inout HandlerOutcome,
                  context: HandlerContext) throws {
        try ledger.issue(record.reserved)
        record.reserved = .none
        record.stage = .handedOver
        record.status = .packed
        record.stepDueAt = nil
        let order = record.order
        let packages = order.lines.count
        outcome.status(order.ref, .packed, department: department, at: context.now,
                       details: ["packages": String(packages), "attempt": String(record.attempt)])
        outcome.emit(OrderPacked(order: order, packages: packages), to: .logistics, key: order.id.rawValue,
                     correlationId: order.ref.correlationId)
    }

    /// Inspection failed: `qc_failed`, and the order goes back to picking for the next
    /// attempt with its stock still reserved. Never to logistics.
    func failInspection(_ record: inout WarehouseOrderRecord, note: String?, into outcome: inout HandlerOutcome,
                        context: HandlerContext) {
        var details = ["attempt": String(record.attempt)]
        if let note { details["note"] = note }
        outcome.status(record.order.ref, .qcFailed, department: department, at: context.now, details: details)
        record.status = .qcFailed
        record.attempt += 1
        record.stage = .picking
        record.stepDueAt = context.now.addingTimeInterval(config.duration(of: .picked))
    }
}
