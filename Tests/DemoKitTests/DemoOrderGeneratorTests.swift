import DemoKit
import Foundation
import OrderModel
import Testing

@Suite struct DemoOrderGeneratorTests {
    let products = [
        ProductRecord(sku: "A", name: "A", currency: "CNY", listPrice: DecimalString("100.00")!, floorPrice: DecimalString("90.00")!,
                      taxRate: DecimalString("0.13")!, leadTimeDays: 2, madeToOrder: false),
        ProductRecord(sku: "M", name: "M", currency: "CNY", listPrice: DecimalString("5000.00")!, floorPrice: DecimalString("4000.00")!,
                      taxRate: DecimalString("0.13")!, leadTimeDays: 40, madeToOrder: true),
    ]
    let customers = [
        CustomerRecord(customerId: "C-1", name: "One", currency: "CNY", creditLimit: 100_000, paymentTermsDays: 30, tier: "A", region: "East"),
        CustomerRecord(customerId: "C-X", name: "Blocked", currency: "CNY", creditLimit: 100_000, paymentTermsDays: 30, tier: "A", region: "East", blocked: true),
        CustomerRecord(customerId: "C-C", name: "Tier C", currency: "CNY", creditLimit: 100_000, paymentTermsDays: 30, tier: "C", region: "East"),
    ]

    @Test func ordersAreValidDeterministicAndAvoidWhatNeedsAPerson() throws {
        let generator = DemoOrderGenerator(products: products, customers: customers, maxOrderValue: 1_000)
        let now = Date(timeIntervalSince1970: 1_795_000_000)
        let first = generator.submission(index: 3, runId: "RUN", now: now)
        #expect(first == generator.submission(index: 3, runId: "RUN", now: now), "same seed, same order")
        for index in 0..<50 {
            let submission = generator.submission(index: index, runId: "RUN", now: now)
            #expect(submission.customerId == "C-1", "blocked and tier-C customers are skipped")
            #expect(submission.externalOrderId == "RUN-\(index)")
            for line in submission.lines ?? [] {
                #expect(line.sku == "A", "made-to-order products are skipped by default")
                let price = try #require(line.unitPrice?.stringValue.flatMap(ExactDecimal.parse))
                #expect(price >= 90 && price <= 100, "priced between floor and list")
                #expect((line.quantity?.intValue ?? 0) > 0)
            }
            let data = try OrderFlowJSON.encoder.encode(submission)
            #expect((try? OrderSubmission.read(Array(data))) != nil, "readable by intake")
        }
    }
}
