import Foundation
import Testing
import DepartmentKit
import OrderModel
@testable import IntakeRules

/// The same (`channel`, `externalOrderId`) never creates a second order, whatever
/// became of the first and however much later it comes.
struct IntakeDedupeTests {
    @Test func repeatOfAnAcceptedSubmissionCreatesNothing() throws {
        let state = try IntakeFixtures.store()
        _ = try IntakeFixtures.submit(IntakeFixtures.submission(), to: state)
        let later = HandlerContext(now: IntakeFixtures.now.addingTimeInterval(400 * 86_400))
        let repeated = try IntakeFixtures.submit(IntakeFixtures.submission(), to: state, at: later)

        #expect(repeated.events.isEmpty)
        #expect(repeated.logs.map(\.level) == [.notice])
        #expect(repeated.logs.first?.message.contains("SO-2026-000001") == true)
        // The sequence was not consumed by the repeat.
        let next = try IntakeFixtures.submit(IntakeFixtures.submission(externalOrderId: "NEW"), to: state, at: later)
        #expect(next.receivedOrder?.id == "SO-2027-000002")
    }

    @Test func repeatOfARejectedSubmissionCreatesNothingEvenWhenNowValid() throws {
        let state = try IntakeFixtures.store(customers: [])
        let first = try IntakeFixtures.submit(IntakeFixtures.submission(), to: state)
        #expect(first.statusChanges.map(\.status) == [.rejected])

        try state.put(IntakeFixtures.customer(), "C-1001")
        let repeated = try IntakeFixtures.submit(IntakeFixtures.submission(), to: state)
        #expect(repeated.events.isEmpty)
        #expect(repeated.logs.first?.level == .notice)
        #expect(repeated.logs.first?.message.contains("rejected") == true)
    }

    @Test func dedupeRecordIsKeptForBothOutcomes() throws {
        let state = try IntakeFixtures.store()
        _ = try IntakeFixtures.submit(IntakeFixtures.submission(externalOrderId: "OK"), to: state)
        _ = try IntakeFixtures.submit(IntakeFixtures.submission(externalOrderId: "BAD", customerId: "C-404"), to: state)

        let accepted = try state.get(SubmissionRecord.self, "tmall-flagship:OK")
        let rejected = try state.get(SubmissionRecord.self, "tmall-flagship:BAD")
        #expect(accepted?.outcome == .accepted)
        #expect(accepted?.orderId == "SO-2026-000001")
        #expect(rejected?.outcome == .rejected)
        #expect(rejected?.orderId == "SO-2026-000002")
    }

    @Test func sameExternalIdOnAnotherChannelIsANewOrder() throws {
        let state = try IntakeFixtures.store()
        _ = try IntakeFixtures.submit(IntakeFixtures.submission(), to: state)
        var other = IntakeFixtures.submission()
        other.channel = "jd-store"
        let outcome = try IntakeFixtures.submit(other, to: state)
        #expect(outcome.receivedOrder?.id == "SO-2026-000002")
    }
}
