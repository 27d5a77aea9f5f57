import DepartmentKit
import Foundation
import LogisticsRules
import OrderModel
import Testing

/// Orders, times and a small driver for the logistics rules.
enum Fixture {
    static let now = Timestamp.parse("2026-11-23T09:15:00Z")!
    static let orderId: OrderID = "SO-2026-000001"
    static let day: TimeInterval = 24 * 3600

    static func line(_ number: Int = 1, sku: SKU = "PUMP-200", quantity: Int = 3, price: String = "1180.00",
                     weightKg: String? = "12.5") -> OrderLine {
        OrderLine(lineNumber: number, sku: sku, quantity: quantity, unitPrice: Money(price, currency: "CNY")!,
                  listPrice: Money(price, currency: "CNY")!, taxRate: DecimalString("0.13")!, madeToOrder: false,
                  leadTimeDays: 5, weightKg: weightKg.flatMap(DecimalString.init))
    }

    static func order(id: OrderID = orderId, region: String = "Zhejiang", method: String = "standard",
                      lines: [OrderLine] = [line()]) -> Order {
        Order(id: id, channel: "tmall-flagship", externalOrderId: "TM-\(id.rawValue)", customerId: "C-1001",
              customerTier: "B", customerRegion: "East", currency: "CNY", lines: lines,
              shipTo: Address(name: "Li Lei", line1: "1 Wenyi Road", city: "Hangzhou", region: region,
                              postalCode: "310000", country: "CN"),
              requestedDeliveryDate: nil, paymentTerms: "NET30", paymentTermsDays: 30, shippingMethod: method,
              priority: .normal, notes: nil, submittedAt: nil, receivedAt: now)
    }
}

/// Drives one `LogisticsRules` over one in-memory store.
struct LogisticsHarness {
    var rules: LogisticsRules
    let state = InMemoryStateStore()

    init(config: LogisticsConfig = .init()) { rules = LogisticsRules(config: config) }

    func handle<P: EventPayload>(_ payload: P, at time: Date = Fixture.now) throws -> HandlerOutcome {
        try rules.handle(InboundEvent(payload), state: state, context: HandlerContext(now: time))
    }

    func tick(at time: Date) throws -> HandlerOutcome {
        try rules.tick(state: state, context: HandlerContext(now: time))
    }

    /// Ships `order` and returns the outcome.
    @discardableResult
    func ship(_ order: Order = Fixture.order(), at time: Date = Fixture.now) throws -> HandlerOutcome {
        try handle(OrderPacked(order: order, packages: 1), at: time)
    }

    func record(_ id: OrderID = Fixture.orderId) throws -> LogisticsOrderRecord? {
        try state.get(LogisticsOrderRecord.self, id.rawValue)
    }

    /// The current tracking number of the order.
    func trackingNumber(_ id: OrderID = Fixture.orderId) throws -> String {
        try #require(try record(id)).current.trackingNumber
    }

    func scan(_ event: ShipmentTrackingUpdated.Scan, tracking: String? = nil, eta: Date? = nil,
              exception: ShipmentTrackingUpdated.ExceptionKind? = nil,
              at time: Date = Fixture.now.addingTimeInterval(3600)) throws -> HandlerOutcome {
        let number = try tracking ?? trackingNumber()
        return try handle(ShipmentTrackingUpdated(orderId: Fixture.orderId, trackingNumber: number, event: event, at: time,
                                                  eta: eta, exception: exception), at: time)
    }
}
