import Foundation
import DepartmentKit
import OrderModel
@testable import IntakeRules

/// Master data and submissions shared by intake's tests.
enum IntakeFixtures {
    /// 2026-11-23T09:15:00Z.
    static let now = Date(timeIntervalSince1970: 1_795_425_300)
    static let context = HandlerContext(now: now)

    static func customer(_ id: String = "C-1001", tier: String = "B", currency: String = "CNY",
                         blocked: Bool = false, active: Bool? = nil) -> CustomerRecord {
        CustomerRecord(customerId: CustomerID(id), name: "Customer \(id)", currency: currency, creditLimit: decimal("500000.00"),
                       paymentTermsDays: 30, tier: tier, region: "East", blocked: blocked, active: active)
    }

    static func product(_ sku: String = "PUMP-200", currency: String = "CNY", listPrice: String = "1200.00",
                        madeToOrder: Bool = false, active: Bool = true) -> ProductRecord {
        ProductRecord(sku: SKU(sku), name: "Product \(sku)", currency: currency, listPrice: decimal(listPrice),
                      floorPrice: decimal("1080.00"), taxRate: decimal("0.13"), leadTimeDays: 5, madeToOrder: madeToOrder,
                      active: active, weightKg: decimal("12.5"))
    }

    /// A decimal string from a literal known to be one.
    static func decimal(_ text: String) -> DecimalString { DecimalString(text)! }

    /// A store with customer C-1001 (tier B, CNY) and product PUMP-200 (CNY, in stock).
    static func store(customers: [CustomerRecord] = [customer()], products: [ProductRecord] = [product()]) throws -> InMemoryStateStore {
        let state = InMemoryStateStore()
        for customer in customers { try state.put(customer, customer.customerId.rawValue) }
        for product in products { try state.put(product, product.sku.rawValue) }
        return state
    }

    static let shipTo = OrderSubmission.ShipTo(name: "Wang Wei", phone: "+86 21 5555 0100", line1: "88 Century Ave",
                                               city: "Shanghai", region: "Shanghai", postalCode: "200120", country: "CN")

    static func line(_ sku: String? = "PUMP-200", quantity: JSONValue? = .number(3),
                     unitPrice: JSONValue? = .string("1180.00")) -> OrderSubmission.Line {
        OrderSubmission.Line(sku: sku, quantity: quantity, unitPrice: unitPrice)
    }

    /// A valid submission of 3 × PUMP-200 at 1180.00 CNY for C-1001.
    static func submission(externalOrderId: String = "TM-20261123-000042", customerId: String? = "C-1001",
                           currency: String? = "CNY", lines: [OrderSubmission.Line]? = [line()],
                           shipTo: OrderSubmission.ShipTo? = shipTo, requestedDeliveryDate: String? = "2026-12-05",
                           submittedAt: String? = "2026-11-23T09:14:00Z", paymentTerms: String? = nil,
                           shippingMethod: String? = nil, priority: String? = nil) -> OrderSubmission {
        OrderSubmission(schemaVersion: 1, channel: "tmall-flagship", externalOrderId: externalOrderId,
                        submittedAt: submittedAt, customerId: customerId, currency: currency, lines: lines,
                        requestedDeliveryDate: requestedDeliveryDate, shipTo: shipTo, paymentTerms: paymentTerms,
                        shippingMethod: shippingMethod, priority: priority, notes: "leave at gate")
    }

    /// Runs intake's rules on one submission.
    static func submit(_ submission: OrderSubmission, to state: InMemoryStateStore,
                       rules: IntakeRules = IntakeRules(), at context: HandlerContext = context) throws -> HandlerOutcome {
        try rules.handle(InboundEvent(OrderSubmitted(submission: submission)), state: state, context: context)
    }
}

extension HandlerOutcome {
    /// The order intake sent to review, if any.
    var receivedOrder: Order? { payloads(OrderReceived.self).first?.order }
    /// The reason codes of the first status change.
    var reasonCodes: [ReasonCode] { statusChanges.first?.reasons?.map(\.code) ?? [] }
}
