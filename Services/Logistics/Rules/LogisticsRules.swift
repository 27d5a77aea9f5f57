import Foundation
import DepartmentKit
import OrderModel

/// Logistics: ships what the warehouse packed, follows the carrier's scans to delivery,
/// replaces damaged or lost shipments, records the customer's answer to the delivery,
/// refuses cancellations of shipped orders, and — in demo mode — plays the carrier itself.
/// The process is `docs/process.md`, section Logistics.
public struct LogisticsRules: DepartmentRules {
    public let config: LogisticsConfig

    public init(config: LogisticsConfig = .init()) { self.config = config }

    public var department: String { "logistics" }

    public var handledEventTypes: Set<String> {
        [OrderPacked.eventType, ShipmentTrackingUpdated.eventType, DeliveryResponded.eventType,
         CancellationRequested.eventType]
    }

    public func handle(_ event: InboundEvent, state: any StateStore, context: HandlerContext) throws -> HandlerOutcome {
        switch event.payload {
        case let packed as OrderPacked:
            return try ship(packed, state: state, context: context)
        case let scan as ShipmentTrackingUpdated:
            return try follow(scan, state: state, context: context)
        case let response as DeliveryResponded:
            return try record(response, state: state, context: context)
        case let request as CancellationRequested:
            return try refuse(request, state: state, context: context)
        default:
            var outcome = HandlerOutcome()
            outcome.log(.warning, "logistics does not act on \(event.type); skipped")
            return outcome
        }
    }

    /// Demo mode: the simulated carrier's scans. Always: the delivery stage limit. Called
    /// by the order's timer (see `save(_:in:)`).
    public func wake(_ timer: DueTimer, state: any StateStore, context: HandlerContext) throws -> HandlerOutcome {
        var outcome = HandlerOutcome()
        guard timer.name == Self.shipmentTimer, var record = try state.get(LogisticsOrderRecord.self, timer.key) else {
            return outcome
        }
        let before = record
        if config.demoMode { playCarrier(for: &record, into: &outcome, context: context) }
        checkDeliveryLimit(of: &record, into: &outcome, context: context)
        try save(record, in: state, changed: record != before)
        return outcome
    }
}
