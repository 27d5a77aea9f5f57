import DemoKit
import Foundation
import OrderModel
import Testing

@Suite struct KPIReportTests {
    func change(_ order: String, _ status: OrderStatus, at seconds: TimeInterval, details: [String: String]? = nil) -> OrderStatusChanged {
        OrderStatusChanged(ref: OrderRef(orderId: OrderID(order), channel: "c", externalOrderId: order), status: status, reasons: nil,
                           department: "test", at: Date(timeIntervalSince1970: 1_795_000_000 + seconds), details: details)
    }

    @Test func ratesAndStageTimesFromTheStatusHistory() {
        let due = LocalDate(Date(timeIntervalSince1970: 1_795_000_000)).description
        let late = LocalDate(Date(timeIntervalSince1970: 1_795_000_000)).adding(days: -1).description
        let report = KPIReport(history: [
            "A": [change("A", .received, at: 0, details: ["requestedDeliveryDate": due]), change("A", .approved, at: 10),
                  change("A", .allocated, at: 12), change("A", .delivered, at: 100)],
            "B": [change("B", .received, at: 0, details: ["requestedDeliveryDate": late]), change("B", .approved, at: 30),
                  change("B", .delivered, at: 200)],
            "C": [change("C", .received, at: 0), change("C", .approved, at: 20)],
            "D": [change("D", .received, at: 0), change("D", .rejected, at: 5)],
        ])
        #expect(report.orders == 4)
        #expect(report.fulfilment == .init(part: 2, whole: 3))
        #expect(report.onTime == .init(part: 1, whole: 2))
        let review = report.stageTimes.first { $0.stage == "review" }
        #expect(review?.orders == 3 && review?.medianSeconds == 20 && review?.p95Seconds == 30)
        #expect(report.stageTimes.contains { $0.stage == "allocation" && $0.orders == 1 })
        #expect(report.text.contains("fulfilment rate (delivered / approved): 66.7 % (2/3)"))
    }

    @Test func emptyHistoryHasNoRates() {
        let report = KPIReport(history: [:])
        #expect(report.fulfilment.value == nil && report.onTime.value == nil && report.stageTimes.isEmpty)
        #expect(report.text.contains("n/a"))
    }
}
