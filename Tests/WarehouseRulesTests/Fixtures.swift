import Foundation
import DepartmentKit
import OrderModel
import WarehouseRules

/// Test data and a small harness that drives `WarehouseRules` over an in-memory store the
/// way the runtime would: one event at a time, with a fixed clock.
enum Fixture {
    /// 2026-11-18T…Z, a fixed "now".
    static let now = Date(timeIntervalSince1970: 1_795_000_000)
    static var today: LocalDate { LocalDate(now) }

    static func line(_ number: Int, _ sku: String, _ quantity: Int, leadTimeDays: Int = 5) -> OrderLine {
        OrderLine(lineNumber: number, sku: SKU(sku), quantity: quantity, unitPrice: Money(100, "CNY"),
                  listPrice: Money(110, "CNY"), taxRate: DecimalString(Decimal(string: "0.13")!), madeToOrder: false,
                  leadTimeDays: leadTimeDays)
    }

    /// An order with one line per (SKU, quantity), numbered from 1.
    static func order(_ number: Int, _ lines: [(String, Int)], priority: Priority = .normal,
                      requestedDeliveryDate: LocalDate? = nil, leadTimeDays: Int = 5) -> Order {
        Order(id: OrderID.make(year: 2026, sequence: Int64(number)), channel: "test-shop",
              externalOrderId: "EXT-\(number)", customerId: "C-1001", customerTier: "B", customerRegion: "East",
              currency: "CNY",
              lines: lines.enumerated().map { line($0.offset + 1, $0.element.0, $0.element.1, leadTimeDays: leadTimeDays) },
              shipTo: Address(name: "Li Lei", line1: "1 Road", city: "Hangzhou", region: "Zhejiang", postalCode: "310000", country: "CN"),
              requestedDeliveryDate: requestedDeliveryDate, paymentTerms: nil, paymentTermsDays: 30,
              shippingMethod: "standard", priority: priority, notes: nil, submittedAt: nil, receivedAt: now)
    }
}

/// The warehouse under test: its rules and its state.
final class Warehouse {
    let rules: WarehouseRules
    let state = InMemoryStateStore()

    init(_ config: WarehouseConfig = WarehouseConfig()) { rules = WarehouseRules(config: config) }

    /// Hands one event to the rules, as the runtime does.
    @discardableResult
    func send<P: EventPayload>(_ payload: P, at now: Date = Fixture.now) throws -> HandlerOutcome {
        try rules.handle(InboundEvent(payload), state: state, context: HandlerContext(now: now))
    }

    @discardableResult
    func tick(at now: Date) throws -> HandlerOutcome {
        try rules.tick(state: state, context: HandlerContext(now: now))
    }

    @discardableResult
    func release(_ order: Order, at now: Date = Fixture.now) throws -> HandlerOutcome {
        try send(OrderReleased(order: order), at: now)
    }

    @discardableResult
    func receive(_ quantity: Int, of sku: String, reference: String? = nil, at now: Date = Fixture.now) throws -> HandlerOutcome {
        try send(StockReceived(sku: SKU(sku), quantity: quantity, reference: reference ?? "GR-\(sku)-\(UUID().uuidString)"), at: now)
    }

    @discardableResult
    func task(_ order: Order, _ step: WarehouseTaskCompleted.Step, passed: Bool? = nil,
              at now: Date = Fixture.now) throws -> HandlerOutcome {
        try send(WarehouseTaskCompleted(orderId: order.id, step: step, passed: passed, by: "worker-7"), at: now)
    }

    /// Confirms picked, checked, packed and inspected (passed) by hand.
    @discardableResult
    func work(_ order: Order, at now: Date = Fixture.now) throws -> HandlerOutcome {
        var outcome = HandlerOutcome()
        for step in WarehouseTaskCompleted.Step.allCases {
            outcome.append(try task(order, step, passed: step == .inspected ? true : nil, at: now))
        }
        return outcome
    }

    func stock(_ sku: String) throws -> StockLevel {
        try WarehouseRules.stockLevels(in: state)[SKU(sku)] ?? StockLevel(onHand: 0, reserved: 0, inTransit: 0)
    }

    func record(_ order: Order) throws -> WarehouseOrderRecord? {
        try state.get(WarehouseOrderRecord.self, order.id.rawValue)
    }
}

extension HandlerOutcome {
    /// The statuses published, in order.
    var statuses: [OrderStatus] { statusChanges.map(\.status) }

    /// The events sent to `topic`, in order.
    func events(to topic: Topic) -> [OutgoingEvent] { events.filter { $0.topic == topic } }
}
