import Foundation
import DepartmentKit
import OrderModel

/// The warehouse: reserves stock for released orders all-or-none, queues what it cannot
/// serve as backorders and asks for replenishment, fills backorders as stock arrives,
/// runs pick → check → pack → inspect (by workers' confirmations, or by itself in demo
/// mode) and hands inspected orders to logistics. It carries out cancellations and
/// changes while it holds an order. The process is `docs/process.md`, section Warehouse.
public struct WarehouseRules: DepartmentRules {
    public let config: WarehouseConfig

    public init(config: WarehouseConfig = .init()) { self.config = config }

    public var department: String { "warehouse" }

    public var handledEventTypes: Set<String> {
        [OrderReleased.eventType, StockReceived.eventType, StockInTransit.eventType,
         WarehouseTaskCompleted.eventType, CancellationRequested.eventType, ChangeRequested.eventType]
    }

    public func handle(_ event: InboundEvent, state: any StateStore, context: HandlerContext) throws -> HandlerOutcome {
        switch event.payload {
        case let released as OrderReleased:
            return try accept(released, state: state, context: context)
        case let received as StockReceived:
            return try book(received, state: state, context: context)
        case let announced as StockInTransit:
            return try book(announced, state: state, context: context)
        case let task as WarehouseTaskCompleted:
            return try confirm(task, state: state, context: context)
        case let request as CancellationRequested:
            return try cancel(request, state: state, context: context)
        case let request as ChangeRequested:
            return try change(request, state: state, context: context)
        default:
            var outcome = HandlerOutcome()
            outcome.log(.warning, "warehouse does not act on \(event.type); skipped")
            return outcome
        }
    }

    /// Demo mode: advances the order whose current step is due. Always: reports an order
    /// past the fulfilment stage limit, once. Called by its timer (see `save(_:in:)`).
    public func wake(_ timer: DueTimer, state: any StateStore, context: HandlerContext) throws -> HandlerOutcome {
        var outcome = HandlerOutcome()
        guard timer.name == Self.fulfilmentTimer, var record = try state.get(WarehouseOrderRecord.self, timer.key),
              record.stage.holdsStock else { return outcome }
        let before = record
        if config.demoMode { try advanceIfDue(&record, state: state, into: &outcome, context: context) }
        checkFulfilmentLimit(of: &record, into: &outcome, context: context)
        try save(record, in: state, changed: record != before)
        return outcome
    }
}
