import Foundation
import OrderModel
import DepartmentKit

/// The review stage clock of an order waiting in `pending_approval` or
/// `awaiting_deposit` (`review.wait`, key = order id). Written when the wait starts,
/// removed when it ends or when its time limit breach has been published, so that the
/// breach is published once and the tick only looks at orders that are waiting.
public struct ReviewWait: StateRecord, Hashable {
    public static let kind = "review.wait"

    public var ref: OrderRef
    public var status: OrderStatus
    public var since: Date

    public init(ref: OrderRef, status: OrderStatus, since: Date) {
        self.ref = ref
        self.status = status
        self.since = since
    }
}
