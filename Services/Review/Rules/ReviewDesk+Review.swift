import Foundation
import OrderModel
import DepartmentKit

/// Reviewing an order (new, or changed) and the three ways out: rejected, pending
/// approval, approved (then awaiting deposit or released).
extension ReviewDesk {
    /// `order.received`: a new order from intake is reviewed. An order already known is
    /// not reviewed twice.
    mutating func receive(_ order: Order) throws {
        if let known = try load(order.id) {
            outcome.log(.notice, "order.received for \(order.id) again; already \(known.stage.rawValue) here; ignored")
            return
        }
        var record = ReviewedOrder(order: order)
        try review(&record)
    }

    /// Runs every check, collecting all failures. Failure → `rejected`. Pass → as many
    /// approval levels as the policy asks: > 0 → `pending_approval` (counted in exposure
    /// from now), 0 → approved at once.
    mutating func review(_ record: inout ReviewedOrder) throws {
        try releaseExposure(&record)
        record.requiredApprovals = 0
        record.approvedBy = []
        let order = record.order
        let customer = try state.customer(order.customerId)
        let findings = try PolicyCheck(state: state, today: context.today).check(order, customer: customer)
        guard findings.reasons.isEmpty else {
            try reject(&record, reasons: findings.reasons, details: findings.details)
            return
        }
        let levels = ApprovalPolicy(config: config).requiredApprovals(gross: order.totals.gross, tier: customer?.tier ?? order.customerTier)
        guard levels > 0 else {
            try approve(&record)
            return
        }
        record.requiredApprovals = levels
        try countExposure(&record)
        try enter(.pendingApproval, &record)
        publish(.pendingApproval, of: order, details: [
            "requiredApprovals": String(levels), "gross": order.totals.gross.amountString,
            "maxDiscountPercent": DiscountDepth.formatted(order),
        ])
    }

    /// `approved`, counted in exposure; then a deposit request for made-to-order goods,
    /// or release to the warehouse.
    mutating func approve(_ record: inout ReviewedOrder) throws {
        let order = record.order
        try countExposure(&record)
        let approvedBy = record.approvedBy.isEmpty ? "policy" : record.approvedBy.joined(separator: ", ")
        publish(.approved, of: order, details: ["approvedBy": approvedBy, "gross": order.totals.gross.amountString])

        let deposit = order.totals.gross.times(config.depositRate).rounded
        guard order.hasMadeToOrderLines, deposit.isPositive else {
            try release(&record)
            return
        }
        record.depositRequested = deposit
        send(DepositRequested(ref: order.ref, customerId: order.customerId, amount: deposit, orderTotal: order.totals.gross,
                              paymentTermsDays: order.paymentTermsDays), to: .billing, about: order)
        try enter(.awaitingDeposit, &record)
        publish(.awaitingDeposit, of: order, details: ["depositAmount": deposit.amountString, "currency": deposit.currency])
    }

    /// `order.released` to the warehouse (no status of its own: the warehouse answers
    /// with `allocated` or `backordered`).
    mutating func release(_ record: inout ReviewedOrder) throws {
        send(OrderReleased(order: record.order), to: .warehouse, about: record.order)
        try enter(.released, &record)
    }

    /// `rejected` with `reasons`; exposure released. Billing is told when a deposit had
    /// been asked for, so it can void or refund it.
    mutating func reject(_ record: inout ReviewedOrder, reasons: [Reason], details: [String: String]) throws {
        try releaseExposure(&record)
        try enter(.rejected, &record)
        publish(.rejected, of: record.order, reasons: reasons, details: details.isEmpty ? nil : details)
        if record.depositRequested != nil {
            send(OrderCancelled(ref: record.order.ref, customerId: record.order.customerId, reasons: reasons, cancelledBy: department),
                 to: .billing, about: record.order)
        }
    }

    /// `cancelled` with `reason` for an order review holds; exposure released;
    /// `order.cancelled` to billing (voids or refunds a deposit).
    mutating func cancel(_ record: inout ReviewedOrder, reason: Reason, details: [String: String]? = nil) throws {
        try releaseExposure(&record)
        try enter(.cancelled, &record)
        publish(.cancelled, of: record.order, reasons: [reason], details: details)
        send(OrderCancelled(ref: record.order.ref, customerId: record.order.customerId, reasons: [reason], cancelledBy: department),
             to: .billing, about: record.order)
    }
}
