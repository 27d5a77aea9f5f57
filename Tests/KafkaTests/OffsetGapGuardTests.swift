@testable import Kafka
import Testing
import DemoKit

private let tp0 = KafkaTopicPartition(topic: "orders", partition: 0)
private let tp1 = KafkaTopicPartition(topic: "orders", partition: 1)

@Suite("Offset-gap guard (no broker)")
struct OffsetGapGuardTests {
    @Test func firstMessageSetsTheExpectationAndInOrderMessagesPass() {
        var guard_ = OffsetGapGuard()
        #expect(guard_.expectedOffset(for: tp0) == nil)
        for offset in Int64(40)..<50 { #expect(guard_.observe(tp0, offset: offset) == .deliver) }
        #expect(guard_.expectedOffset(for: tp0) == 50)
        #expect(guard_.statistics == KafkaGapStatistics())
    }

    @Test func gapTriggersRefetchAndTheExpectedMessageClosesIt() {
        var guard_ = OffsetGapGuard()
        #expect(guard_.observe(tp0, offset: 0) == .deliver)
        #expect(guard_.observe(tp0, offset: 1) == .deliver)
        #expect(guard_.observe(tp0, offset: 4) == .refetch(from: 2))
        #expect(guard_.isRefetching(tp0))
        #expect(guard_.expectedOffset(for: tp0) == 2)
        // The re-fetch delivers the skipped records, then the rest.
        for offset in Int64(2)..<7 { #expect(guard_.observe(tp0, offset: offset) == .deliver) }
        #expect(!guard_.isRefetching(tp0))
        #expect(guard_.statistics == KafkaGapStatistics(refetches: 1, acceptedGaps: 0))
    }

    @Test func gapStillThereAfterRefetchIsAcceptedOnce() {
        var guard_ = OffsetGapGuard()
        _ = guard_.observe(tp0, offset: 10)
        #expect(guard_.observe(tp0, offset: 15) == .refetch(from: 11))
        // After the seek the first message is still past 11 (e.g. a transaction marker or a
        // compacted range): accepted, and tracking continues from there.
        #expect(guard_.observe(tp0, offset: 15) == .deliver)
        #expect(guard_.expectedOffset(for: tp0) == 16)
        #expect(guard_.observe(tp0, offset: 16) == .deliver)
        #expect(guard_.statistics == KafkaGapStatistics(refetches: 1, acceptedGaps: 1))
        // A later gap is noticed again.
        #expect(guard_.observe(tp0, offset: 20) == .refetch(from: 17))
        #expect(guard_.statistics.refetches == 2)
    }

    @Test func olderOffsetsAreDuplicatesWithinAnAssignment() {
        var guard_ = OffsetGapGuard()
        for offset in Int64(0)..<5 { _ = guard_.observe(tp0, offset: offset) }
        #expect(guard_.observe(tp0, offset: 3) == .dropDuplicate)
        #expect(guard_.observe(tp0, offset: 4) == .dropDuplicate)
        #expect(guard_.observe(tp0, offset: 5) == .deliver)
        // While re-fetching, older offsets are dropped too and do not end the re-fetch.
        #expect(guard_.observe(tp0, offset: 9) == .refetch(from: 6))
        #expect(guard_.observe(tp0, offset: 2) == .dropDuplicate)
        #expect(guard_.isRefetching(tp0))
        #expect(guard_.observe(tp0, offset: 6) == .deliver)
        #expect(guard_.statistics == KafkaGapStatistics(refetches: 1, acceptedGaps: 0, droppedDuplicates: 3))
    }

    @Test func resetOnAssignmentLetsANewOwnerReceiveRedeliveries() {
        var guard_ = OffsetGapGuard()
        for offset in Int64(0)..<100 { _ = guard_.observe(tp0, offset: offset) }
        for offset in Int64(0)..<10 { _ = guard_.observe(tp1, offset: offset) }
        // Rebalance: the partition is revoked and assigned again; consumption resumes at the
        // committed offset 60, below what was handed out before.
        guard_.reset([tp0])
        #expect(guard_.expectedOffset(for: tp0) == nil)
        #expect(guard_.observe(tp0, offset: 60) == .deliver)
        #expect(guard_.observe(tp0, offset: 61) == .deliver)
        // The other partition kept its expectation.
        #expect(guard_.observe(tp1, offset: 5) == .dropDuplicate)
        guard_.resetAll()
        #expect(guard_.observe(tp1, offset: 5) == .deliver)
        #expect(guard_.statistics.droppedDuplicates == 1)
    }

    @Test func baselineFromCommittedPositionCatchesAGapAtTheStart() {
        var guard_ = OffsetGapGuard()
        guard_.setBaseline(tp0, nextOffset: 30)
        #expect(guard_.expectedOffset(for: tp0) == 30)
        #expect(guard_.observe(tp0, offset: 33) == .refetch(from: 30))
        #expect(guard_.observe(tp0, offset: 30) == .deliver)

        // A first message below the baseline is delivered (the client chose that start),
        // never dropped.
        guard_.reset([tp1])
        guard_.setBaseline(tp1, nextOffset: 30)
        #expect(guard_.observe(tp1, offset: 25) == .deliver)
        #expect(guard_.expectedOffset(for: tp1) == 26)
        // Once something was delivered, a baseline no longer applies.
        guard_.setBaseline(tp1, nextOffset: 100)
        #expect(guard_.expectedOffset(for: tp1) == 26)
        // Negative (logical / invalid) offsets are ignored.
        guard_.reset([tp1])
        guard_.setBaseline(tp1, nextOffset: -1001)
        #expect(guard_.expectedOffset(for: tp1) == nil)
        #expect(guard_.statistics.refetches == 1)
    }

    @Test func gapTolerantTopicsAreNotTracked() {
        var guard_ = OffsetGapGuard(gapTolerantTopics: ["masterdata.products"])
        let compacted = KafkaTopicPartition(topic: "masterdata.products", partition: 0)
        for offset: Int64 in [0, 5, 9, 3, 3, 100] { #expect(guard_.observe(compacted, offset: offset) == .deliver) }
        guard_.setBaseline(compacted, nextOffset: 0)
        #expect(guard_.expectedOffset(for: compacted) == nil)
        #expect(guard_.statistics == KafkaGapStatistics())
        // Other topics are still guarded.
        _ = guard_.observe(tp0, offset: 0)
        #expect(guard_.observe(tp0, offset: 2) == .refetch(from: 1))
    }

    @Test func failedSeekAcceptsTheGap() {
        var guard_ = OffsetGapGuard()
        _ = guard_.observe(tp0, offset: 0)
        #expect(guard_.observe(tp0, offset: 3) == .refetch(from: 1))
        guard_.refetchFailed(tp0, offset: 3)
        #expect(guard_.expectedOffset(for: tp0) == 4)
        #expect(guard_.observe(tp0, offset: 4) == .deliver)
        guard_.refetchFailed(tp0, offset: 9)  // no re-fetch under way: ignored
        #expect(guard_.expectedOffset(for: tp0) == 5)
        #expect(guard_.statistics == KafkaGapStatistics(refetches: 1, acceptedGaps: 1))
    }

    /// A reader that skips records now and then (like a fetch from Tansu racing concurrent
    /// appends) and re-reads from wherever it is sought: with the guard, the consumer hands
    /// out every offset exactly once, in order.
    @Test func simulatedSkippingFetcherIsHealedCompletely() {
        var rng = SplitMix64(seed: 42)
        let logEnd: Int64 = 20_000
        var guard_ = OffsetGapGuard()
        guard_.setBaseline(tp0, nextOffset: 0)  // log start, known at assignment
        var position: Int64 = 0
        var delivered: [Int64] = []
        var skips = 0
        var justSought = false
        while position < logEnd {
            // A "fetch": up to 50 records from position; with 10 % probability (not right after
            // a seek) it skips a few records first; they are in the log and a re-read sees them.
            var next = position
            let skip = Int64(1 + rng.next() % 5)
            if !justSought, rng.next() % 10 == 0, position + skip < logEnd {
                next += skip
                skips += 1
            }
            let end = min(logEnd, next + Int64(1 + rng.next() % 50))
            var sought: Int64?
            for offset in next..<end {
                switch guard_.observe(tp0, offset: offset) {
                case .deliver: delivered.append(offset)
                case .dropDuplicate: continue
                case .refetch(let from): sought = from
                }
                if sought != nil { break }
            }
            justSought = sought != nil
            position = sought ?? end
        }
        #expect(skips > 30)
        #expect(delivered == Array(0..<logEnd))
        #expect(guard_.statistics == KafkaGapStatistics(refetches: skips, acceptedGaps: 0))
    }
}

@Suite("Offset commit retry bookkeeping (no broker)")
struct OffsetCommitTrackerTests {
    @Test func failedCommitIsRetriedByTheNextCommit() {
        var tracker = OffsetCommitTracker()
        tracker.issued([tp0: 10, tp1: 5])
        tracker.completed(tp0, offset: 10, succeeded: false)
        tracker.completed(tp1, offset: 5, succeeded: true)
        #expect(tracker.failed == [tp0: 10])
        // The next commit names only tp1: tp0's failed offset rides along.
        #expect(tracker.withRetries([tp1: 8]) == [tp0: 10, tp1: 8])
        // A commit naming tp0 itself wins over the failed offset.
        #expect(tracker.withRetries([tp0: 12]) == [tp0: 12])
        tracker.issued([tp0: 10, tp1: 8])
        #expect(tracker.failed.isEmpty)
        tracker.completed(tp0, offset: 10, succeeded: true)
        #expect(tracker.failed.isEmpty)
    }

    @Test func supersededFailureIsIgnoredSoOffsetsNeverMoveBack() {
        var tracker = OffsetCommitTracker()
        tracker.issued([tp0: 10])
        tracker.issued([tp0: 20])
        // The older commit's failure arrives after the newer one was issued.
        tracker.completed(tp0, offset: 10, succeeded: false)
        #expect(tracker.failed.isEmpty)
        tracker.completed(tp0, offset: 20, succeeded: false)
        #expect(tracker.failed == [tp0: 20])
        // A success of an equal or newer offset clears it; an older one does not.
        tracker.completed(tp0, offset: 15, succeeded: true)
        #expect(tracker.failed == [tp0: 20])
        tracker.completed(tp0, offset: 20, succeeded: true)
        #expect(tracker.failed.isEmpty)
    }

    @Test func revokedPartitionsAreForgotten() {
        var tracker = OffsetCommitTracker()
        tracker.issued([tp0: 3, tp1: 4])
        tracker.completed(tp0, offset: 3, succeeded: false)
        tracker.completed(tp1, offset: 4, succeeded: false)
        tracker.forget([tp0])
        #expect(tracker.failed == [tp1: 4])
        // A late result for a forgotten partition is ignored.
        tracker.completed(tp0, offset: 3, succeeded: false)
        #expect(tracker.failed == [tp1: 4])
        tracker.forgetAll()
        #expect(tracker.failed.isEmpty)
        #expect(tracker.withRetries([:]).isEmpty)
    }
}

@Suite("What the broker confirmed as committed (no broker)")
struct ConfirmedCommitTests {
    @Test func confirmedFollowsSuccessesNeverALateOlderOne() {
        var tracker = OffsetCommitTracker()
        tracker.issued([tp0: 10])
        #expect(tracker.confirmed.isEmpty, "issued is not committed")
        tracker.issued([tp0: 20])
        tracker.completed(tp0, offset: 20, succeeded: true)
        tracker.completed(tp0, offset: 10, succeeded: true)  // a late result of the older commit
        #expect(tracker.confirmed == [tp0: 20])
        tracker.issued([tp0: 30])
        tracker.completed(tp0, offset: 30, succeeded: false)
        #expect(tracker.confirmed == [tp0: 20], "a failed commit confirms nothing")
    }

    @Test func confirmedFollowsACommitThatMovesBackAndSurvivesRevocation() {
        var tracker = OffsetCommitTracker()
        tracker.lookedUp([tp0: 500, tp1: 7])
        #expect(tracker.confirmed == [tp0: 500, tp1: 7])
        // The topic was created again: the newest commit is lower, and it is the truth.
        tracker.issued([tp0: 3])
        tracker.completed(tp0, offset: 3, succeeded: true)
        #expect(tracker.confirmed[tp0] == 3)
        // Revoked: the offset stays committed at the broker.
        tracker.forget([tp0, tp1])
        #expect(tracker.confirmed == [tp0: 3, tp1: 7])
        // A look-up at the next assignment is what the broker says now.
        tracker.lookedUp([tp1: 2])
        #expect(tracker.confirmed == [tp0: 3, tp1: 2])
    }
}
