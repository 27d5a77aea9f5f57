import Foundation
import OrderModel
import DepartmentKit

/// A customer's open credit exposure (`review.exposure`, key = customer id): the gross
/// totals of its orders that are pending approval or approved, less what has been paid on
/// them. The credit check adds a new order's gross to it and compares with the limit.
public struct CustomerExposure: StateRecord, Hashable {
    public static let kind = "review.exposure"

    public var customerId: CustomerID
    public var amount: Money

    public init(customerId: CustomerID, amount: Money) {
        self.customerId = customerId
        self.amount = amount
    }
}
