import Foundation
import OrderModel
import DepartmentKit

/// Where an order stands in review.
public enum ReviewStage: String, Codable, Sendable, Hashable {
    /// Waiting for reviewers' decisions.
    case pendingApproval = "pending_approval"
    /// Approved; waiting for the deposit on made-to-order goods.
    case awaitingDeposit = "awaiting_deposit"
    /// Handed to the warehouse (review no longer holds it).
    case released
    case rejected
    case cancelled

    /// The order status this stage corresponds to (a released order was last `approved`
    /// as far as review knows).
    public var status: OrderStatus {
        switch self {
        case .pendingApproval: .pendingApproval
        case .awaitingDeposit: .awaitingDeposit
        case .released: .approved
        case .rejected: .rejected
        case .cancelled: .cancelled
        }
    }

    /// Review holds the order: cancellations and changes are carried out here.
    public var isHeld: Bool { self == .pendingApproval || self == .awaitingDeposit }

    /// Nothing more happens to the order.
    public var isFinal: Bool { self == .rejected || self == .cancelled }
}

/// Review's record of one order (`review.order`, key = order id): the order as last
/// reviewed, its stage, the approvals it needs and has, and what it adds to its
/// customer's open credit exposure.
public struct ReviewedOrder: StateRecord, Hashable {
    public static let kind = "review.order"

    public var order: Order
    public var stage: ReviewStage
    /// Approval levels the order needs (0 when approved by policy).
    public var requiredApprovals: Int
    /// Distinct reviewers who approved it so far, in order.
    public var approvedBy: [String]
    /// What the order adds to its customer's exposure now: its gross from the moment it
    /// is pending or approved, less payments applied; zero while not counted.
    public var openExposure: Money
    /// Payments billing applied to the order so far.
    public var paymentsApplied: Money
    /// The deposit asked of billing, if one was.
    public var depositRequested: Money?

    public init(order: Order, stage: ReviewStage = .pendingApproval) {
        self.order = order
        self.stage = stage
        self.requiredApprovals = 0
        self.approvedBy = []
        self.openExposure = .zero(order.currency)
        self.paymentsApplied = .zero(order.currency)
        self.depositRequested = nil
    }
}
