import DepartmentKit
import Foundation
import OrderModel

/// Every tunable of the warehouse, with the documented defaults. Read from
/// `ORDERFLOW_WAREHOUSE_*` environment variables by `init(environment:)`.
public struct WarehouseConfig: Sendable, Hashable {
    /// Demo mode: the warehouse picks, checks, packs and inspects by itself on the timer.
    /// Default false. `ORDERFLOW_WAREHOUSE_DEMO_MODE`; `ORDERFLOW_DEMO_MODE` also turns it on.
    public var demoMode: Bool
    /// Demo mode: seconds from allocation (or a failed inspection) until the goods are
    /// picked. Default 0.2. `ORDERFLOW_WAREHOUSE_PICK_SECONDS`.
    public var pickDuration: TimeInterval
    /// Demo mode: seconds from picking until the pick is checked. Default 0.2.
    /// `ORDERFLOW_WAREHOUSE_CHECK_SECONDS`.
    public var checkDuration: TimeInterval
    /// Demo mode: seconds from checking until the goods are packed. Default 0.2.
    /// `ORDERFLOW_WAREHOUSE_PACK_SECONDS`.
    public var packDuration: TimeInterval
    /// Demo mode: seconds from packing until quality inspection is done. Default 0.2.
    /// `ORDERFLOW_WAREHOUSE_INSPECT_SECONDS`.
    public var inspectDuration: TimeInterval
    /// Demo mode: the probability (0…1) that an inspection fails. Default 0.05.
    /// `ORDERFLOW_WAREHOUSE_QC_FAILURE_RATE`. Outside demo mode the inspector's
    /// `warehouse.task-completed` says whether it passed.
    public var qcFailureRate: Double
    /// Seconds an allocated order may take until it is packed and inspected before the
    /// fulfilment stage limit is reported. Default 24 h.
    /// `ORDERFLOW_WAREHOUSE_FULFILMENT_LIMIT_SECONDS`.
    public var fulfilmentLimit: TimeInterval

    public init(demoMode: Bool = false,
                pickDuration: TimeInterval = 0.2,
                checkDuration: TimeInterval = 0.2,
                packDuration: TimeInterval = 0.2,
                inspectDuration: TimeInterval = 0.2,
                qcFailureRate: Double = 0.05,
                fulfilmentLimit: TimeInterval = 24 * 3600) {
        self.demoMode = demoMode
        self.pickDuration = pickDuration
        self.checkDuration = checkDuration
        self.packDuration = packDuration
        self.inspectDuration = inspectDuration
        self.qcFailureRate = qcFailureRate
        self.fulfilmentLimit = fulfilmentLimit
    }

    /// Reads `ORDERFLOW_WAREHOUSE_*` (see the service README); unset variables keep their
    /// defaults (as do empty ones), unreadable ones throw `ConfigurationError`.
    public init(environment: [String: String]) throws(ConfigurationError) {
        let env = EnvironmentReader(environment: environment)
        let defaults = WarehouseConfig()
        let prefix = "ORDERFLOW_WAREHOUSE_"
        let ownDemoMode = try env.bool(prefix + "DEMO_MODE") ?? false
        let globalDemoMode = try env.bool("ORDERFLOW_DEMO_MODE") ?? false
        self.init(
            demoMode: ownDemoMode || globalDemoMode,
            pickDuration: try env.seconds(prefix + "PICK_SECONDS") ?? defaults.pickDuration,
            checkDuration: try env.seconds(prefix + "CHECK_SECONDS") ?? defaults.checkDuration,
            packDuration: try env.seconds(prefix + "PACK_SECONDS") ?? defaults.packDuration,
            inspectDuration: try env.seconds(prefix + "INSPECT_SECONDS") ?? defaults.inspectDuration,
            qcFailureRate: try env.fraction(prefix + "QC_FAILURE_RATE").map { NSDecimalNumber(decimal: $0).doubleValue }
                ?? defaults.qcFailureRate,
            fulfilmentLimit: try env.seconds(prefix + "FULFILMENT_LIMIT_SECONDS") ?? defaults.fulfilmentLimit)
    }

    /// How long the warehouse takes, in demo mode, until `step` is done.
    public func duration(of step: WarehouseTaskCompleted.Step) -> TimeInterval {
        switch step {
        case .picked: pickDuration
        case .checked: checkDuration
        case .packed: packDuration
        case .inspected: inspectDuration
        }
    }
}
