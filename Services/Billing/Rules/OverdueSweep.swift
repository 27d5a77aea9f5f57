import Foundation
import DepartmentKit
import OrderModel

extension BillingRules {
    /// The timer that wakes billing for an account with an open invoice.
    static let overdueTimer = "billing.overdue"

    /// The overdue check of one account, woken by its timer when something can be due: an
    /// invoice past its due date and not paid in full gets status `overdue` once and a
    /// `reminder` at most every `reminderInterval`; `escalateAfterDays` after the due date
    /// it is escalated once (`escalation`), after which collections chase it and reminders
    /// stop. A disputed delivery holds reminders and escalation.
    func chaseOverdue(_ key: String, state: any StateStore, outcome: inout HandlerOutcome, context: HandlerContext) throws {
        guard let account = try state.get(BillingAccount.self, key) else { return }
        var updated = account
        if !account.cancelled {
            for index in updated.invoices.indices where updated.invoices[index].isOpen
                && context.today > updated.invoices[index].dueDate {
                chase(invoiceAt: index, of: &updated, outcome: &outcome, context: context)
            }
        }
        try save(updated, in: state)
    }

    /// Stores `account` and keeps its overdue timer at the next moment one of its open
    /// invoices needs chasing (none for cancelled accounts or when nothing is open).
    func save(_ account: BillingAccount, in state: any StateStore) throws {
        try state.put(account, account.orderId.rawValue)
        try state.reschedule(Self.overdueTimer, key: account.orderId.rawValue, at: nextChase(of: account))
    }

    /// The earliest moment one of the account's open invoices becomes overdue, is due a
    /// reminder, or is due escalation.
    func nextChase(of account: BillingAccount) -> Date? {
        guard !account.cancelled else { return nil }
        var candidates: [Date] = []
        for invoice in account.invoices where invoice.isOpen {
            if !invoice.reportedOverdue {
                // Overdue from the first day after the due date.
                if let day = invoice.dueDate.adding(days: 1).startOfDay { candidates.append(day) }
                continue
            }
            guard !account.disputed, !invoice.escalated else { continue }
            if let day = invoice.dueDate.adding(days: config.escalateAfterDays).startOfDay { candidates.append(day) }
            if let last = invoice.lastReminderAt { candidates.append(last.addingTimeInterval(config.reminderInterval)) }
        }
        return candidates.min()
    }

    private func chase(invoiceAt index: Int, of account: inout BillingAccount, outcome: inout HandlerOutcome,
                       context: HandlerContext) {
        let invoice = account.invoices[index]
        let daysOverdue = Self.days(from: invoice.dueDate, to: context.today)
        if !invoice.reportedOverdue {
            account.invoices[index].reportedOverdue = true
            publish(.overdue, of: account, details: [
                "invoiceId": invoice.id, "amountOpen": invoice.open.amountString, "currency": invoice.open.currency,
                "dueDate": invoice.dueDate.description, "daysOverdue": String(daysOverdue),
            ], outcome: &outcome, context: context)
        }
        guard !account.disputed, !invoice.escalated else { return }
        if daysOverdue >= config.escalateAfterDays {
            account.invoices[index].escalated = true
            notify(.escalation, account: account, invoiceId: invoice.id, amount: invoice.open, dueDate: invoice.dueDate,
                   message: "\(invoice.id) unpaid \(daysOverdue) days after its due date: handed to collections",
                   outcome: &outcome, context: context)
            return
        }
        if let last = invoice.lastReminderAt, context.now.timeIntervalSince(last) < config.reminderInterval { return }
        account.invoices[index].lastReminderAt = context.now
        notify(.reminder, account: account, invoiceId: invoice.id, amount: invoice.open, dueDate: invoice.dueDate,
               message: "\(invoice.id): \(invoice.open) was due on \(invoice.dueDate) (\(daysOverdue) days ago)",
               outcome: &outcome, context: context)
    }

    /// Whole days from `start` to `end`.
    static func days(from start: LocalDate, to end: LocalDate) -> Int {
        guard let from = start.startOfDay, let to = end.startOfDay else { return 0 }
        return Int((to.timeIntervalSince(from) / 86400).rounded())
    }
}
