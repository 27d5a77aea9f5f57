import Foundation
import DepartmentKit
import OrderModel

extension BillingRules {
    /// The overdue sweep, at most every `sweepInterval`: an invoice past its due date and
    /// not paid in full gets status `overdue` once and a `reminder` at most every
    /// `reminderInterval`; `escalateAfterDays` after the due date it is escalated once
    /// (`escalation`), after which collections chase it and reminders stop. A disputed
    /// delivery holds reminders and escalation.
    func sweepOverdue(state: any StateStore, outcome: inout HandlerOutcome, context: HandlerContext) throws {
        if let last = try state.get(BillingSweepRecord.self, BillingSweepRecord.key),
           context.now.timeIntervalSince(last.lastSweepAt) < config.sweepInterval {
            return
        }
        try state.put(BillingSweepRecord(lastSweepAt: context.now), BillingSweepRecord.key)
        for (_, account) in try state.all(BillingAccount.self) where !account.cancelled {
            var updated = account
            for index in updated.invoices.indices where updated.invoices[index].isOpen
                && context.today > updated.invoices[index].dueDate {
                chase(invoiceAt: index, of: &updated, outcome: &outcome, context: context)
            }
            if updated != account { try state.save(updated) }
        }
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
