import Foundation
import DepartmentKit
import OrderModel
@testable import ReviewRules

/// Master data, orders and helpers shared by review's tests.
///
/// Prices: PUMP-200 (in stock, list 1200.00, floor 1080.00, tax 13 %) sold at 1180.00;
/// MIXER-9 (made to order, 20 days, list 5000.00, floor 4500.00) sold at 4800.00.
/// 3 × PUMP-200 = 4000.20 gross; 80 × PUMP-200 = 106672.00 gross.
enum ReviewFixtures {
    /// 2026-11-23T09:15:00Z.
    static let now = Date(timeIntervalSince1970: 1_795_425_300)
    static let context = HandlerContext(now: now)
    static let today = LocalDate(year: 2026, month: 11, day: 23)

    static func decimal(_ text: String) -> DecimalString { DecimalString(text)! }
    static func cny(_ text: String) -> Money { Money(text, currency: "CNY")! }

    static func customer(_ id: String = "C-1001", tier: String = "B", creditLimit: String = "500000.00",
                         blocked: Bool = false) -> CustomerRecord {
        CustomerRecord(customerId: CustomerID(id), name: "Customer \(id)", currency: "CNY", creditLimit: decimal(creditLimit),
                       paymentTermsDays: 30, tier: tier, region: "East", blocked: blocked)
    }

    static let pump = ProductRecord(sku: "PUMP-200", name: "Pump", currency: "CNY", listPrice: decimal("1200.00"),
                                    floorPrice: decimal("1080.00"), taxRate: decimal("0.13"), leadTimeDays: 5, madeToOrder: false)
    static let mixer = ProductRecord(sku: "MIXER-9", name: "Mixer", currency: "CNY", listPrice: decimal("5000.00"),
                                     floorPrice: decimal("4500.00"), taxRate: decimal("0.13"), leadTimeDays: 20, madeToOrder: true)

    /// A store with customer C-1001 (tier B, limit 500000.00) and both products.
    static func store(customers: [CustomerRecord] = [customer()]) throws -> InMemoryStateStore {
        let state = InMemoryStateStore()
        for customer in customers { try state.put(customer, customer.customerId.rawValue) }
        for product in [pump, mixer] { try state.put(product, product.sku.rawValue) }
        return state
    }

    static func pumps(_ quantity: Int, at price: String = "1180.00", line: Int = 1) -> OrderLine {
        OrderLine(lineNumber: line, sku: "PUMP-200", quantity: quantity, unitPrice: cny(price), listPrice: cny("1200.00"),
                  taxRate: decimal("0.13"), madeToOrder: false, leadTimeDays: 5)
    }

    static func mixers(_ quantity: Int, at price: String = "4800.00", line: Int = 1) -> OrderLine {
        OrderLine(lineNumber: line, sku: "MIXER-9", quantity: quantity, unitPrice: cny(price), listPrice: cny("5000.00"),
                  taxRate: decimal("0.13"), madeToOrder: true, leadTimeDays: 20)
    }

    static func order(_ id: String = "SO-2026-000001", customer: String = "C-1001", tier: String = "B",
                      lines: [OrderLine] = [pumps(3)], requestedDeliveryDate: LocalDate? = nil) -> Order {
        Order(id: OrderID(id), channel: "tmall-flagship", externalOrderId: "EXT-\(id)", customerId: CustomerID(customer),
              customerTier: tier, customerRegion: "East", currency: "CNY", lines: lines,
              shipTo: Address(name: "Wang Wei", line1: "88 Century Ave", city: "Shanghai", region: "Shanghai",
                              postalCode: "200120", country: "CN"),
              requestedDeliveryDate: requestedDeliveryDate, paymentTerms: nil, paymentTermsDays: 30,
              shippingMethod: "standard", priority: .normal, notes: nil, submittedAt: nil, receivedAt: now)
    }

    /// Runs review's rules on one inbound payload.
    @discardableResult
    static func handle<P: EventPayload>(_ payload: P, _ state: InMemoryStateStore, rules: ReviewRules = ReviewRules(),
                                        at context: HandlerContext = context) throws -> HandlerOutcome {
        try rules.handle(InboundEvent(payload), state: state, context: context)
    }

    static func decision(_ decision: ReviewDecided.Decision = .approve, on id: String = "SO-2026-000001",
                         by reviewer: String = "alice", comment: String? = nil) -> ReviewDecided {
        ReviewDecided(orderId: OrderID(id), decision: decision, reviewer: reviewer, comment: comment)
    }

    /// The customer's open exposure as review keeps it (zero when none).
    static func exposure(_ state: InMemoryStateStore, _ customer: String = "C-1001") throws -> Money {
        try state.get(CustomerExposure.self, customer)?.amount ?? .zero("CNY")
    }

    static func stage(_ state: InMemoryStateStore, _ id: String = "SO-2026-000001") throws -> ReviewStage? {
        try state.get(ReviewedOrder.self, id)?.stage
    }

    static func at(hours: Double) -> HandlerContext { HandlerContext(now: now.addingTimeInterval(hours * 3600)) }
}

extension HandlerOutcome {
    var statuses: [OrderStatus] { statusChanges.map(\.status) }
    var reasonCodes: [ReasonCode] { statusChanges.flatMap { $0.reasons ?? [] }.map(\.code) }
    var topics: [Topic] { events.map(\.topic) }
}
