import BillingRules
import DepartmentKit
import Foundation
import OrderModel
import Testing

/// Orders, times and a small driver for the billing rules.
enum Fixture {
    static let now = Timestamp.parse("2026-11-23T09:15:00Z")!
    static let orderId: OrderID = "SO-2026-000001"
    static let day: TimeInterval = 24 * 3600

    static func cny(_ text: String) -> Money { Money(text, currency: "CNY")! }

    static func line(_ number: Int = 1, sku: SKU = "PUMP-200", quantity: Int = 1, price: String = "100.00",
                     taxRate: String = "0.13") -> OrderLine {
        OrderLine(lineNumber: number, sku: sku, quantity: quantity, unitPrice: cny(price), listPrice: cny(price),
                  taxRate: DecimalString(taxRate)!, madeToOrder: false, leadTimeDays: 5)
    }

    /// One line of 100.00 + 13 % tax: gross 113.00, NET30.
    static func order(lines: [OrderLine] = [line()]) -> Order {
        Order(id: orderId, channel: "tmall-flagship", externalOrderId: "TM-1", customerId: "C-1001",
              customerTier: "B", customerRegion: "East", currency: "CNY", lines: lines,
              shipTo: Address(name: "Li Lei", line1: "1 Wenyi Road", city: "Hangzhou", region: "Zhejiang",
                              postalCode: "310000", country: "CN"),
              requestedDeliveryDate: nil, paymentTerms: "NET30", paymentTermsDays: 30, shippingMethod: "standard",
              priority: .normal, notes: nil, submittedAt: nil, receivedAt: now)
    }

    static var ref: OrderRef { order().ref }
}

/// Drives one `BillingRules` over one in-memory store.
struct BillingHarness {
    var rules: BillingRules
    let state = InMemoryStateStore()

    init(config: BillingConfig = .init()) { rules = BillingRules(config: config) }

    func handle<P: EventPayload>(_ payload: P, at time: Date = Fixture.now) throws -> HandlerOutcome {
        try rules.handle(InboundEvent(payload), state: state, context: HandlerContext(now: time))
    }

    func tick(at time: Date) throws -> HandlerOutcome {
        try rules.tick(state: state, context: HandlerContext(now: time))
    }

    @discardableResult
    func dispatch(_ order: Order = Fixture.order(), shipment: Int = 1, replacement: Bool = false,
                  at time: Date = Fixture.now) throws -> HandlerOutcome {
        try handle(ShipmentDispatched(order: order, shipmentId: "SHP-\(order.id.rawValue)-\(shipment)", carrier: "standard",
                                      trackingNumber: "STD20260000010\(shipment)", lines: order.lines, shippedAt: time,
                                      estimatedDelivery: time.addingTimeInterval(3 * Fixture.day),
                                      isReplacement: replacement), at: time)
    }

    @discardableResult
    func pay(_ amount: String, currency: String = "CNY", reference: String,
             at time: Date = Fixture.now.addingTimeInterval(3600)) throws -> HandlerOutcome {
        try handle(PaymentReceived(orderId: Fixture.orderId, amount: DecimalString(amount)!, currency: currency,
                                   reference: reference), at: time)
    }

    @discardableResult
    func deliver(at time: Date = Fixture.now.addingTimeInterval(2 * Fixture.day)) throws -> HandlerOutcome {
        try handle(ShipmentDelivered(ref: Fixture.ref, shipmentId: "SHP-SO-2026-000001-1", deliveredAt: time), at: time)
    }

    @discardableResult
    func requestDeposit(_ amount: String) throws -> HandlerOutcome {
        try handle(DepositRequested(ref: Fixture.ref, customerId: "C-1001", amount: Fixture.cny(amount),
                                    orderTotal: Fixture.cny("113.00"), paymentTermsDays: 30))
    }

    func account() throws -> BillingAccount? { try state.get(BillingAccount.self, Fixture.orderId.rawValue) }
}

extension HandlerOutcome {
    func notices(_ kind: BillingNotice.Kind) -> [BillingNotice] { payloads(BillingNotice.self).filter { $0.kind == kind } }
}
