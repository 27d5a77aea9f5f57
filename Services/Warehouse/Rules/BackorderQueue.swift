import Foundation
import DepartmentKit
import OrderModel

extension WarehouseRules {
    /// Serves the backorder queue from what is available now: by priority (rush first),
    /// then by release order, each order all or none. An order that can't be filled is
    /// skipped and the next one may be.
    func fillBackorders(state: any StateStore, into outcome: inout HandlerOutcome, context: HandlerContext) throws {
        let ledger = StockLedger(state: state)
        let queue = try state.all(WarehouseBackorderRecord.self).map(\.value).sorted { $0.isServed(before: $1) }
        for entry in queue {
            guard var record = try state.warehouseOrder(entry.orderId), record.stage == .backordered else {
                try state.remove(WarehouseBackorderRecord.self, entry.orderId.rawValue)
                continue
            }
            let shortages = try allocate(&record, ledger: ledger, into: &outcome, context: context,
                                         details: ["fromBackorder": "true"])
            if shortages.isEmpty { try save(record, in: state) }
        }
    }
}
