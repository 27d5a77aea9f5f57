import DepartmentKit
import Foundation
import LogisticsRules
import OrderModel
import Testing

@Suite("Carrier choice")
struct CarrierChoiceTests {
    static let cases: [(String, Order, Carrier)] = [
        ("remote region beats express", Fixture.order(region: "Xinjiang", method: "express"), .postal),
        ("remote region, any spelling", Fixture.order(region: " tibet "), .postal),
        ("express method", Fixture.order(method: "express", lines: [Fixture.line(weightKg: "400")]), .express),
        ("above 500 kg", Fixture.order(lines: [Fixture.line(quantity: 3, price: "10.00", weightKg: "167")]), .freight),
        ("exactly 500 kg is not freight", Fixture.order(lines: [Fixture.line(quantity: 2, price: "10.00", weightKg: "250")]),
         .standard),
        ("heavy beats high value", Fixture.order(lines: [Fixture.line(quantity: 2, price: "200000.00", weightKg: "300")]),
         .freight),
        ("gross above 200000", Fixture.order(lines: [Fixture.line(quantity: 1, price: "177000.00")]), .secure),
        ("gross just at 200000 is not secure",
         Fixture.order(lines: [Fixture.line(quantity: 1, price: "176991.15", weightKg: nil)]), .standard),
        ("everything else", Fixture.order(), .standard),
    ]

    @Test("each rule picks its carrier, first match wins", arguments: cases)
    func carrierPerRule(_ name: String, _ order: Order, _ expected: Carrier) throws {
        let harness = LogisticsHarness()
        let outcome = try harness.ship(order)

        let shipped = try #require(outcome.statusChanges.first)
        #expect(shipped.details?["carrier"] == expected.rawValue, "\(name)")
        #expect(outcome.payloads(ShipmentDispatched.self).first?.carrier == expected.rawValue, "\(name)")
        #expect(try harness.trackingNumber().hasPrefix(expected.trackingPrefix), "\(name)")
    }

    @Test("the gross the secure rule compares is tax included")
    func secureUsesGross() {
        // 176991.16 net + 13 % tax = 200000.01 gross
        let order = Fixture.order(lines: [Fixture.line(quantity: 1, price: "176991.16", weightKg: nil)])
        #expect(CarrierSelection(config: .init()).carrier(for: order) == .secure)
    }

    @Test("configured remote regions and limits replace the defaults")
    func configuredRules() {
        let config = LogisticsConfig(remoteRegions: ["Hainan"], freightAboveKg: 10, secureAboveValue: 1000)
        let selection = CarrierSelection(config: config)
        #expect(selection.carrier(for: Fixture.order(region: "Hainan")) == .postal)
        #expect(selection.carrier(for: Fixture.order(region: "Tibet", lines: [Fixture.line(quantity: 1, weightKg: "1")])) == .secure)
        #expect(selection.carrier(for: Fixture.order(lines: [Fixture.line(quantity: 1, weightKg: "11")])) == .freight)
    }
}
