import Foundation
import DepartmentKit
import OrderModel

/// Billing: collects deposits, invoices exactly what shipped, applies the money that
/// arrives, completes orders that are paid and delivered, credits cancelled orders and
/// chases overdue invoices. The process is `docs/process.md`, section Billing.
public struct BillingRules: DepartmentRules {
    public let config: BillingConfig

    public init(config: BillingConfig = .init()) { self.config = config }

    public var department: String { "billing" }

    public var handledEventTypes: Set<String> {
        [DepositRequested.eventType, PaymentReceived.eventType, ShipmentDispatched.eventType,
         ShipmentDelivered.eventType, OrderCancelled.eventType, DeliveryDisputed.eventType]
    }

    public func handle(_ event: InboundEvent, state: any StateStore, context: HandlerContext) throws -> HandlerOutcome {
        var outcome = HandlerOutcome()
        switch event.payload {
        case let request as DepositRequested:
            try handleDeposit(request, state: state, outcome: &outcome, context: context)
        case let payment as PaymentReceived:
            try receive(payment, state: state, outcome: &outcome, context: context)
        case let shipment as ShipmentDispatched:
            try invoice(shipment, state: state, outcome: &outcome, context: context)
        case let delivery as ShipmentDelivered:
            try noteDelivery(delivery, state: state, outcome: &outcome, context: context)
        case let dispute as DeliveryDisputed:
            try holdReminders(dispute, state: state, outcome: &outcome, context: context)
        case let cancellation as OrderCancelled:
            try close(cancellation, state: state, outcome: &outcome, context: context)
        default:
            outcome.log(.warning, "billing does not act on \(event.type); skipped")
        }
        return outcome
    }

    public func wake(_ timer: DueTimer, state: any StateStore, context: HandlerContext) throws -> HandlerOutcome {
        var outcome = HandlerOutcome()
        if timer.name == Self.overdueTimer { try chaseOverdue(timer.key, state: state, outcome: &outcome, context: context) }
        return outcome
    }
}
