import Foundation
import OrderModel

/// A submission that passed every check: the values intake needs to build the order,
/// already parsed, with the master data they were checked against.
struct ValidSubmission {
    /// One line with its product.
    struct Line {
        var sku: SKU
        var quantity: Int
        var unitPrice: Decimal
        var product: ProductRecord
    }

    var customer: CustomerRecord
    var currency: String
    var lines: [Line]
    var shipTo: Address
    var requestedDeliveryDate: LocalDate?
    var submittedAt: Date?
    var priority: Priority?
}

/// What intake's validation made of a submission: valid, or every problem found.
enum SubmissionVerdict {
    case valid(ValidSubmission)
    case invalid([Reason])
}
