import BillingRules
import DepartmentKit
import Foundation
import OrderModel
import Testing

@Suite("Completion")
struct CompletionTests {
    @Test("paid, then delivered → completed")
    func paidThenDelivered() throws {
        let harness = BillingHarness()
        try harness.dispatch()
        #expect(try harness.pay("113.00", reference: "BANK-1").statusChanges.map(\.status) == [.paid])
        #expect(try harness.deliver().statusChanges.map(\.status) == [.completed])
    }

    @Test("delivered, then paid → paid and completed")
    func deliveredThenPaid() throws {
        let harness = BillingHarness()
        try harness.dispatch()
        #expect(try harness.deliver().events.isEmpty)
        #expect(try harness.pay("113.00", reference: "BANK-1").statusChanges.map(\.status) == [.paid, .completed])
    }

    @Test("completed once: a repeated delivery or a later payment does not complete again")
    func completedOnce() throws {
        let harness = BillingHarness()
        try harness.dispatch()
        try harness.pay("113.00", reference: "BANK-1")
        try harness.deliver()
        #expect(try harness.deliver().events.isEmpty)
        let late = try harness.pay("1.00", reference: "BANK-2")
        #expect(late.statusChanges.isEmpty)
        #expect(late.notices(.overpayment).count == 1)
    }

    @Test("delivered but only partly paid is not completed")
    func partlyPaidNotCompleted() throws {
        let harness = BillingHarness()
        try harness.dispatch()
        try harness.deliver()
        #expect(try harness.pay("100.00", reference: "BANK-1").statusChanges.map(\.status) == [.partiallyPaid])
    }
}
