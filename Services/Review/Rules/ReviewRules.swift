import Foundation
import OrderModel
import DepartmentKit

/// Review: checks every order intake received against pricing, credit and delivery
/// policy, asks people to approve the big ones and those of watched customers, collects
/// deposits for made-to-order goods (through billing), keeps customers' credit exposure,
/// and releases approved orders to the warehouse. It also carries out cancellations and
/// changes of the orders it still holds and forwards the others to the warehouse.
public struct ReviewRules: DepartmentRules {
    public let department = "review"
    public let config: ReviewConfig

    public let handledEventTypes: Set<String> = [
        OrderReceived.eventType, ReviewDecided.eventType, DepositPaid.eventType, PaymentApplied.eventType,
        CancellationRequested.eventType, OrderCancelled.eventType, ChangeRequested.eventType,
        OrderReturnedForChange.eventType,
    ]

    public init(config: ReviewConfig = .init()) { self.config = config }

    public func handle(_ event: InboundEvent, state: any StateStore, context: HandlerContext) throws -> HandlerOutcome {
        var desk = ReviewDesk(config: config, department: department, state: state, context: context)
        switch event.payload {
        case let received as OrderReceived: try desk.receive(received.order)
        case let decision as ReviewDecided: try desk.decide(decision)
        case let paid as DepositPaid: try desk.depositPaid(paid)
        case let payment as PaymentApplied: try desk.paymentApplied(payment)
        case let request as CancellationRequested: try desk.cancellationRequested(request)
        case let cancelled as OrderCancelled: try desk.orderCancelled(cancelled)
        case let request as ChangeRequested: try desk.changeRequested(request)
        case let returned as OrderReturnedForChange: try desk.returnedForChange(returned)
        default: desk.outcome.log(.warning, "review does not handle \(event.type); skipped")
        }
        return desk.outcome
    }

    /// Publishes `order.sla-breached` once for each order waiting in review too long.
    public func wake(_ timer: DueTimer, state: any StateStore, context: HandlerContext) throws -> HandlerOutcome {
        guard timer.name == StageLimit.timer else { return HandlerOutcome() }
        return try StageLimit(config: config, department: department).check(timer.key, state: state, context: context)
    }
}
