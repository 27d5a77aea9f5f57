import Foundation
import GRDB
import Kafka
@testable import ServiceKit
import Testing

/// The inbox forgets an event id only when the broker can no longer deliver its message
/// again: old enough *and* below the committed offset of its partition.
@Suite struct InboxRetentionTests {
    let p0 = KafkaTopicPartition(topic: "orders.billing", partition: 0)
    let p1 = KafkaTopicPartition(topic: "orders.billing", partition: 1)
    let cutoff = Date(timeIntervalSinceNow: -7 * 86400)
    let old = Date(timeIntervalSinceNow: -30 * 86400)

    func temporaryURL() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("inbox-\(UUID().uuidString).sqlite")
    }

    @Test func prunesOnlyOldEntriesBelowTheCommittedOffset() async throws {
        let url = temporaryURL()
        defer { try? FileManager.default.removeItem(at: url) }
        let database = try SQLiteServiceDatabase(path: url.path)
        try await database.write { [p0, p1, old] tx in
            for offset in Int64(0)..<6 { try tx.markProcessed("p0-\(offset)", at: old, position: InboxPosition(partition: p0, offset: offset)) }
            try tx.markProcessed("p0-young", at: Date(), position: InboxPosition(partition: p0, offset: 6))
            // Partition 1: its commit never succeeded (nothing known committed).
            try tx.markProcessed("p1-0", at: old, position: InboxPosition(partition: p1, offset: 0))
            // Written before positions were kept: by age alone.
            try tx.markProcessed("legacy-old", at: old)
            try tx.markProcessed("legacy-young", at: Date())
        }
        // Partition 0 committed up to 4 (offsets 0–3 done; 4 and 5 may come again).
        #expect(try await database.pruneInbox(olderThan: cutoff, committed: [p0: 4]) == 5)
        let kept = try await database.write { tx in
            try ["p0-3", "p0-4", "p0-5", "p0-young", "p1-0", "legacy-old", "legacy-young"].filter { try tx.hasProcessed($0) }
        }
        #expect(kept == ["p0-4", "p0-5", "p0-young", "p1-0", "legacy-young"])
        // Once the retried commit goes through, the rest of the old entries go too.
        #expect(try await database.pruneInbox(olderThan: cutoff, committed: [p0: 7, p1: 1]) == 3)
    }

    @Test func pruningLargeBacklogsGoesInChunks() async throws {
        let url = temporaryURL()
        defer { try? FileManager.default.removeItem(at: url) }
        let database = try SQLiteServiceDatabase(path: url.path)
        let count = SQLiteServiceDatabase.pruneChunk * 2 + 7
        try await database.write { [p0, old] tx in
            for offset in 0..<count { try tx.markProcessed("e-\(offset)", at: old, position: InboxPosition(partition: p0, offset: Int64(offset))) }
        }
        #expect(try await database.pruneInbox(olderThan: cutoff, committed: [p0: Int64(count)]) == count)
    }

    /// What a prune reads is what it removes: both statements are served by the
    /// (partition, processed_at, offset) index, never by a scan of the table.
    @Test func pruningReadsTheIndexNotTheTable() throws {
        let url = temporaryURL()
        defer { try? FileManager.default.removeItem(at: url) }
        _ = try SQLiteServiceDatabase(path: url.path)
        let queue = try DatabaseQueue(path: url.path)
        for (sql, parameters) in [(SQLiteServiceDatabase.pruneCommittedSQL, 5), (SQLiteServiceDatabase.pruneUnpositionedSQL, 2)] {
            let plan = try queue.read { db in
                try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql, arguments: StatementArguments(Array(repeating: 0, count: parameters)))
                    .map { $0["detail"] as String }
            }
            #expect(plan.contains { $0.contains("USING COVERING INDEX inbox_source_age (source_topic=? AND source_partition=? AND processed_at<?)") },
                    "\(plan)")
            #expect(!plan.contains { $0.hasPrefix("SCAN") }, "\(plan)")
        }
    }

    @Test func entriesWrittenBeforeTheUpgradeAreKept() async throws {
        let url = temporaryURL()
        defer { try? FileManager.default.removeItem(at: url) }
        let queue = try DatabaseQueue(path: url.path)
        try SQLiteServiceDatabase.migrator.migrate(queue, upTo: "v3: state as a rowid table")
        try await queue.write { db in
            try db.execute(sql: "INSERT INTO inbox (event_id, processed_at) VALUES ('before', ?)", arguments: [Date().timeIntervalSince1970])
        }
        try queue.close()
        let database = try SQLiteServiceDatabase(path: url.path)
        #expect(try await database.write { try $0.hasProcessed("before") })
        #expect(try await database.write { try $0.markProcessedIfNew("before", at: Date(), position: nil) } == false)
    }
}
