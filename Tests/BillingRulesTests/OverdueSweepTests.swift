import BillingRules
import DepartmentKit
import Foundation
import OrderModel
import Testing

@Suite("Overdue sweep")
struct OverdueSweepTests {
    // Shipped 2026-11-23, NET30 → due 2026-12-23; overdue from 2026-12-24.
    static let firstOverdueDay = Fixture.now.addingTimeInterval(31 * Fixture.day)
    let config = BillingConfig(reminderInterval: 7 * Fixture.day, escalateAfterDays: 30)

    @Test("overdue once, a reminder per interval, escalation once, then nothing")
    func overdueReminderEscalation() throws {
        let harness = BillingHarness(config: config)
        try harness.dispatch()
        try harness.pay("13.00", reference: "BANK-1")

        #expect(try harness.tick(at: Fixture.now.addingTimeInterval(30 * Fixture.day)).events.isEmpty)

        let first = try harness.tick(at: Self.firstOverdueDay)
        #expect(first.statusChanges.map(\.status) == [.overdue])
        #expect(first.statusChanges.first?.details?["amountOpen"] == "100.00")
        #expect(first.statusChanges.first?.details?["invoiceId"] == "INV-SO-2026-000001-1")
        let reminder = try #require(first.notices(.reminder).first)
        #expect(reminder.amount == Fixture.cny("100.00"))
        #expect(reminder.dueDate == LocalDate("2026-12-23"))

        #expect(try harness.tick(at: Self.firstOverdueDay.addingTimeInterval(3600)).events.isEmpty)

        let week = try harness.tick(at: Self.firstOverdueDay.addingTimeInterval(7 * Fixture.day))
        #expect(week.statusChanges.isEmpty)
        #expect(week.notices(.reminder).count == 1)

        let escalation = try harness.tick(at: Fixture.now.addingTimeInterval(60 * Fixture.day))
        #expect(escalation.notices(.escalation).count == 1)
        #expect(escalation.notices(.reminder).isEmpty)
        #expect(escalation.statusChanges.isEmpty)

        #expect(try harness.tick(at: Fixture.now.addingTimeInterval(90 * Fixture.day)).events.isEmpty)
    }

    @Test("the overdue check is a timer at the first overdue day: nothing before, overdue from its first moment")
    func overdueTimer() throws {
        let harness = BillingHarness(config: BillingConfig())
        try harness.dispatch()
        #expect(harness.state.scheduledTimers.map(\.dueAt) == [Timestamp.parse("2026-12-24T00:00:00Z")!])
        #expect(try harness.tick(at: Timestamp.parse("2026-12-23T23:59:59Z")!).events.isEmpty)
        let next = try harness.tick(at: Timestamp.parse("2026-12-24T00:00:00Z")!)
        #expect(next.statusChanges.map(\.status) == [.overdue])
        // Next: the weekly reminder (escalation comes later).
        #expect(harness.state.scheduledTimers.map(\.dueAt) == [Timestamp.parse("2026-12-31T00:00:00Z")!])
    }

    @Test("paid and cancelled accounts have no overdue timer")
    func noTimerWhenSettled() throws {
        let harness = BillingHarness(config: config)
        try harness.dispatch()
        try harness.pay("113.00", reference: "BANK-1")
        #expect(harness.state.scheduledTimers.isEmpty)
    }

    @Test("paid invoices are not chased")
    func paidNotChased() throws {
        let harness = BillingHarness(config: config)
        try harness.dispatch()
        try harness.pay("113.00", reference: "BANK-1")
        #expect(try harness.tick(at: Self.firstOverdueDay).events.isEmpty)
    }

    @Test("a disputed delivery holds reminders and escalation; the overdue status still shows")
    func disputeHoldsReminders() throws {
        let harness = BillingHarness(config: config)
        try harness.dispatch()
        let dispute = try harness.handle(DeliveryDisputed(ref: Fixture.ref, reason: "pump broken"))
        #expect(dispute.statusChanges.isEmpty)
        #expect(dispute.payloads(BillingNotice.self).map(\.kind) == [.remindersHeld])
        #expect(dispute.logs.contains { $0.level == .notice && $0.message.contains("held") })
        #expect(try harness.account()?.disputed == true)

        let overdue = try harness.tick(at: Self.firstOverdueDay)
        #expect(overdue.statusChanges.map(\.status) == [.overdue])
        #expect(overdue.payloads(BillingNotice.self).isEmpty)
        #expect(try harness.tick(at: Fixture.now.addingTimeInterval(70 * Fixture.day)).events.isEmpty)
    }
}
