import Foundation
import OrderModel
import DepartmentKit

/// Intake: turns submissions from `orders.submitted` into numbered orders for review.
///
/// 1. A (`channel`, `externalOrderId`) seen before — accepted or rejected — creates
///    nothing and emits nothing (a notice is logged).
/// 2. A submission over the configured limits (`SubmissionLimits`: lines, field lengths,
///    message size) is `rejected` with `too_large` reasons and not validated further; one
///    whose identity itself is over the limit goes to the dead letter (`too_large`).
/// 3. Every problem of a submission is collected; any problem → status `rejected` with
///    all reasons (the submission still gets an order number, the status event needs one).
/// 4. Otherwise the order is numbered, priced and prioritised: status `received`, then
///    `order.received` to `orders.review`.
public struct IntakeRules: DepartmentRules {
    public let department = "intake"
    public let handledEventTypes: Set<String> = [OrderSubmitted.eventType]
    public let config: IntakeConfig

    /// The sequence that numbers orders (`SO-YYYY-NNNNNN`).
    static let orderSequence = "intake.order"

    public init(config: IntakeConfig = .init()) { self.config = config }

    public func handle(_ event: InboundEvent, state: any StateStore, context: HandlerContext) throws -> HandlerOutcome {
        var outcome = HandlerOutcome()
        guard let submitted = event.payload as? OrderSubmitted else {
            outcome.log(.warning, "intake does not handle \(event.type); skipped")
            return outcome
        }
        let submission = submitted.submission
        try config.limits.checkIdentity(submission)
        let identity = try SubmissionIdentity(submission)

        if let first = try state.get(SubmissionRecord.self, identity.key) {
            outcome.log(.notice, "submission \(identity.key) repeated: already \(first.outcome.rawValue) as \(first.orderId) "
                + "at \(Timestamp.format(first.handledAt)); nothing created")
            return outcome
        }

        let orderId = OrderID.make(year: context.today.year, sequence: try state.nextSequence(Self.orderSequence))
        let tooLarge = config.limits.violations(of: submission, byteCount: submitted.byteCount)
        let verdict = tooLarge.isEmpty ? try SubmissionValidator(state: state).validate(submission) : .invalid(tooLarge)
        switch verdict {
        case .invalid(let reasons):
            outcome.status(identity.ref(orderId), .rejected, reasons: reasons, department: department, at: context.now)
            try remember(identity, orderId, .rejected, event: event, state: state, context: context)
        case .valid(let valid):
            let order = OrderAssembler(config: config).assemble(valid, from: submission, identity: identity,
                                                                id: orderId, receivedAt: context.now)
            var details = ["gross": order.totals.gross.amountString, "currency": order.currency, "priority": order.priority.rawValue]
            // The requested date travels on the status feed so trackers and the KPI report
            // can tell on-time deliveries.
            if let date = order.requestedDeliveryDate { details["requestedDeliveryDate"] = date.description }
            // Who ordered what, for trackers (search by customer; KPIs by customer, region
            // and product) without a second topic to read. Facts only: no rule reads them.
            details["customerId"] = order.customerId.rawValue
            details["region"] = order.customerRegion ?? order.shipTo.region
            details["skus"] = Array(Set(order.lines.map(\.sku.rawValue))).sorted().joined(separator: ",")
            details["net"] = order.totals.net.amountString
            details["tax"] = order.totals.tax.amountString
            outcome.status(order.ref, .received, department: department, at: context.now, details: details)
            outcome.emit(OrderReceived(order: order), to: .review, key: order.id.rawValue, correlationId: order.ref.correlationId)
            try remember(identity, orderId, .accepted, event: event, state: state, context: context)
        }
        return outcome
    }

    private func remember(_ identity: SubmissionIdentity, _ orderId: OrderID, _ result: SubmissionRecord.Outcome,
                          event: InboundEvent, state: any StateStore, context: HandlerContext) throws {
        let record = SubmissionRecord(orderId: orderId, outcome: result, handledAt: context.now, firstEventId: event.id)
        try state.put(record, identity.key)
    }
}
