import Foundation
import OrderModel
import Testing

@Suite struct MoneyTests {
    @Test func parsesOnlyPlainDecimalStrings() {
        #expect(Money("1180.00", currency: "CNY")?.amount == Decimal(string: "1180.00"))
        #expect(Money("-3.5", currency: "CNY")?.amount == Decimal(string: "-3.5"))
        for bad in ["", "12abc", "1e5", " 12", "12.", ".5", "1,000.00", "--1", "NaN", "1.2.3"] {
            #expect(Money(bad, currency: "CNY") == nil, "\(bad) must be refused")
        }
    }

    @Test func arithmeticIsExact() {
        // 0.1 + 0.2 is exactly 0.3 in decimal, unlike binary floating point.
        let sum = Money("0.10", currency: "CNY")! + Money("0.20", currency: "CNY")!
        #expect(sum == Money("0.30", currency: "CNY")!)
        #expect(Money("1180.00", currency: "CNY")!.times(3).amountString == "3540.00")
    }

    @Test func roundsHalfAwayFromZeroToTheMinorUnit() {
        #expect(Money("2.345", currency: "CNY")!.rounded.amountString == "2.35")
        #expect(Money("2.344", currency: "CNY")!.rounded.amountString == "2.34")
        #expect(Money("-2.345", currency: "CNY")!.rounded.amountString == "-2.35")
        #expect(Money("7", currency: "CNY")!.amountString == "7.00")
    }

    @Test func taxIsRoundedPerLineAndTotalsAddUp() {
        let line = OrderLine(lineNumber: 1, sku: "PUMP-200", quantity: 3, unitPrice: Money("1180.33", currency: "CNY")!,
                             listPrice: Money("1200.00", currency: "CNY")!, taxRate: DecimalString("0.13")!, madeToOrder: false, leadTimeDays: 5)
        #expect(line.net.amountString == "3540.99")
        #expect(line.tax.amountString == "460.33") // 460.3287 rounded
        let totals = Totals(lines: [line, line], currency: "CNY")
        #expect(totals.gross == totals.net + totals.tax)
        #expect(totals.tax.amountString == "920.66")
    }

    @Test func encodesAsDecimalStrings() throws {
        let data = try OrderFlowJSON.encoder.encode(Money("1180.5", currency: "CNY")!)
        #expect(String(decoding: data, as: UTF8.self) == #"{"amount":"1180.50","currency":"CNY"}"#)
        let precise = try OrderFlowJSON.encoder.encode(Money("0.125", currency: "CNY")!)
        #expect(String(decoding: precise, as: UTF8.self).contains(#""0.125""#), "nothing is lost when more digits are held")
        let back = try OrderFlowJSON.decoder.decode(Money.self, from: data)
        #expect(back == Money("1180.50", currency: "CNY")!)
        #expect(throws: DecodingError.self) { try OrderFlowJSON.decoder.decode(Money.self, from: Data(#"{"amount":1180.5,"currency":"CNY"}"#.utf8)) }
    }

    @Test func subtractingClampedNeverGoesNegative() {
        let ten = Money("10.00", currency: "CNY")!
        #expect(ten.subtractingClamped(Money("12.00", currency: "CNY")!).isZero)
        #expect(ten.subtractingClamped(Money("4.00", currency: "CNY")!).amountString == "6.00")
    }
}

@Suite struct ValueTypeTests {
    @Test func orderNumbersArePadded() {
        #expect(OrderID.make(year: 2026, sequence: 123).rawValue == "SO-2026-000123")
        #expect(OrderID.make(year: 2026, sequence: 1_234_567).rawValue == "SO-2026-1234567")
    }

    @Test func localDatesParseStrictlyAndAddDays() {
        #expect(LocalDate("2026-12-05")?.adding(days: 30).description == "2027-01-04")
        #expect(LocalDate("2026-02-30") == nil)
        #expect(LocalDate("2026-1-5") == nil)
        #expect(LocalDate("2026-11-23")! < LocalDate("2026-12-01")!)
    }

    @Test func orderRoundTripsThroughJSON() throws {
        let line = OrderLine(lineNumber: 1, sku: "PUMP-200", quantity: 2, unitPrice: Money("1180.00", currency: "CNY")!,
                             listPrice: Money("1200.00", currency: "CNY")!, taxRate: DecimalString("0.13")!, madeToOrder: true,
                             leadTimeDays: 20, weightKg: DecimalString("35.5"))
        let order = Order(id: "SO-2026-000001", channel: "jd-store", externalOrderId: "JD-1", customerId: "C-1001",
                          customerTier: "A", customerRegion: "East", currency: "CNY", lines: [line],
                          shipTo: Address(name: "Li", line1: "1 Road", city: "Shanghai", region: "East", postalCode: "200000", country: "CN"),
                          requestedDeliveryDate: LocalDate("2026-12-24"), paymentTerms: "NET30", paymentTermsDays: 30,
                          shippingMethod: "standard", priority: .high, notes: nil,
                          submittedAt: Timestamp.parse("2026-11-23T09:15:00Z"), receivedAt: Timestamp.parse("2026-11-23T09:15:01.250Z")!)
        let back = try OrderFlowJSON.decoder.decode(Order.self, from: OrderFlowJSON.encoder.encode(order))
        #expect(back == order)
        #expect(back.totals.gross.amountString == "2666.80")
        #expect(back.weightKg == Decimal(71))
    }
}
