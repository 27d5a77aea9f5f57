import DepartmentKit
import Foundation
import OrderModel
import ServiceKit
import Testing

private struct Counter: StateRecord, Equatable {
    static let kind = "test.counter"
    var value: Int
}

private func temporaryDatabase() throws -> (SQLiteServiceDatabase, URL) {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("svc-\(UUID().uuidString).sqlite")
    return (try SQLiteServiceDatabase(path: url.path), url)
}

@Suite struct SQLiteServiceDatabaseTests {
    @Test func stateInboxAndOutboxCommitTogether() async throws {
        let (database, url) = try temporaryDatabase()
        defer { try? FileManager.default.removeItem(at: url) }
        try await database.write { tx in
            try tx.put(Counter(value: 1), "a")
            try tx.markProcessed("event-1", at: Date())
            try tx.enqueue(topic: "t", key: Array("k".utf8), value: Array("v".utf8), headers: ["h": "1"])
        }
        #expect(try await database.read { try $0.get(Counter.self, "a") } == Counter(value: 1))
        #expect(try await database.write { try $0.hasProcessed("event-1") })
        let pending = try await database.pendingOutbox(limit: 10)
        #expect(pending.count == 1 && pending[0].headers == ["h": "1"] && pending[0].value == Array("v".utf8))
        try await database.markPublished(upTo: pending.map(\.sequence))
        #expect(try await database.outboxBacklog() == 0)
    }

    /// A page of one kind: keys after the cursor, in order, at most the limit, nothing of
    /// another kind (tracking's index pages).
    @Test func rangeReadsOnePageOfOneKind() async throws {
        let (database, url) = try temporaryDatabase()
        defer { try? FileManager.default.removeItem(at: url) }
        try await database.write { tx in
            for key in ["b", "a", "d", "c", "e"] { try tx.storeRaw(kind: "ix.one", key: key, value: Data(key.utf8)) }
            try tx.storeRaw(kind: "ix.one2", key: "a", value: Data())
            try tx.storeRaw(kind: "ix.on", key: "z", value: Data("z".utf8))
        }
        let first = try await database.read { try $0.loadRangeRaw(kind: "ix.one", after: nil, limit: 2) }
        #expect(first.map(\.key) == ["a", "b"] && first.map { String(decoding: $0.value, as: UTF8.self) } == ["a", "b"])
        let next = try await database.read { try $0.loadRangeRaw(kind: "ix.one", after: "b", limit: 10) }
        #expect(next.map(\.key) == ["c", "d", "e"])
        #expect(try await database.read { try $0.loadRangeRaw(kind: "ix.one", after: "e", limit: 10) }.isEmpty)
        // The in-memory store (rules' unit tests) answers the same.
        let memory = InMemoryStateStore()
        for key in ["b", "a", "d", "c", "e"] { try memory.storeRaw(kind: "ix.one", key: key, value: Data(key.utf8)) }
        #expect(try memory.loadRangeRaw(kind: "ix.one", after: "b", limit: 2).map(\.key) == ["c", "d"])
    }

    @Test func aFailedTransactionLeavesNothingBehind() async throws {
        let (database, url) = try temporaryDatabase()
        defer { try? FileManager.default.removeItem(at: url) }
        struct Boom: Error {}
        await #expect(throws: Boom.self) {
            try await database.write { tx in
                try tx.put(Counter(value: 9), "a")
                try tx.markProcessed("event-9", at: Date())
                try tx.enqueue(topic: "t", key: nil, value: nil, headers: [:])
                throw Boom()
            }
        }
        #expect(try await database.read { try $0.get(Counter.self, "a") } == nil)
        #expect(try await database.write { try $0.hasProcessed("event-9") } == false)
        #expect(try await database.outboxBacklog() == 0)
    }

    @Test func isolatedUndoesOnlyTheFailedPart() async throws {
        let (database, url) = try temporaryDatabase()
        defer { try? FileManager.default.removeItem(at: url) }
        struct Boom: Error {}
        try await database.write { tx in
            try tx.put(Counter(value: 1), "kept")
            _ = try? tx.isolated { () throws -> Void in
                try tx.put(Counter(value: 2), "undone")
                throw Boom()
            }
        }
        #expect(try await database.read { try $0.get(Counter.self, "kept") } != nil)
        #expect(try await database.read { try $0.get(Counter.self, "undone") } == nil)
    }

    @Test func sequencesAndListingSurviveReopening() async throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("svc-\(UUID().uuidString).sqlite")
        defer { try? FileManager.default.removeItem(at: url) }
        do {
            // The first instance is released before the reopening (it holds the file's lock).
            let database = try SQLiteServiceDatabase(path: url.path)
            let first = try await database.write { tx in [try tx.nextSequence("orders"), try tx.nextSequence("orders")] }
            #expect(first == [1, 2])
            try await database.write { tx in
                try tx.put(Counter(value: 2), "b")
                try tx.put(Counter(value: 1), "a")
            }
        }
        let reopened = try SQLiteServiceDatabase(path: url.path)
        #expect(try await reopened.write { try $0.nextSequence("orders") } == 3)
        #expect(try await reopened.read { try $0.all(Counter.self).map(\.key) } == ["a", "b"])
    }

    @Test func pruningForgetsOnlyOldInboxEntries() async throws {
        let (database, url) = try temporaryDatabase()
        defer { try? FileManager.default.removeItem(at: url) }
        try await database.write { tx in
            try tx.markProcessed("old", at: Date(timeIntervalSinceNow: -30 * 86400))
            try tx.markProcessed("new", at: Date())
        }
        #expect(try await database.pruneInbox(olderThan: Date(timeIntervalSinceNow: -7 * 86400), committed: [:]) == 1)
        #expect(try await database.write { try $0.hasProcessed("new") })
    }

    @Test func aSecondOpenOfTheSameFileIsRefusedWhileTheFirstIsAlive() async throws {
        let (database, url) = try temporaryDatabase()
        defer { try? FileManager.default.removeItem(at: url) }
        do {
            _ = try SQLiteServiceDatabase(path: url.path)
            Issue.record("a second open of \(url.path) succeeded while the first holds it")
        } catch let refusal as SecondReplicaRefused {
            let message = "\(refusal)"
            #expect(message.contains(url.path + ".lock"), "names the lock file: \(message)")
            #expect(message.contains("The SQLite backend holds one replica's state"), "says why: \(message)")
            #expect(message.contains("shared-database backend"), "says what several replicas need: \(message)")
        }
        // The first instance is untouched by the refusal.
        #expect(try await database.write { try $0.nextSequence("orders") } == 1)
    }

    @Test func theLockIsReleasedWhenItsHolderGoesAway() async throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("svc-\(UUID().uuidString).sqlite")
        defer { try? FileManager.default.removeItem(at: url) }
        do { _ = try SQLiteServiceDatabase(path: url.path) }
        let again = try SQLiteServiceDatabase(path: url.path)
        #expect(try await again.read { try $0.all(Counter.self) }.isEmpty)
    }

    @Test func aLockHeldByAnotherProcessRefusesTheOpenUntilThatProcessDies() async throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("svc-\(UUID().uuidString).sqlite")
        defer {
            try? FileManager.default.removeItem(at: url)
            try? FileManager.default.removeItem(atPath: url.path + ".lock")
        }
        // Another process holds the lock file, as a second service would (the shell locks it
        // with flock(1), says so, and becomes `sleep`, which keeps the locked descriptor).
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/bin/sh")
        holder.arguments = ["-c", #"exec 9>"$0" && flock --exclusive --timeout 10 9 && echo locked && exec sleep 30"#, url.path + ".lock"]
        let output = Pipe()
        holder.standardOutput = output
        try holder.run()
        defer { if holder.isRunning { kill(holder.processIdentifier, SIGKILL) } }
        let said = String(decoding: output.fileHandleForReading.availableData, as: UTF8.self)  // blocks until the line
        try #require(said.hasPrefix("locked"), "the holder took the lock: \(said)")
        #expect(throws: SecondReplicaRefused.self, "the open is refused while another process holds the lock") {
            _ = try SQLiteServiceDatabase(path: url.path)
        }
        kill(holder.processIdentifier, SIGKILL)  // as kill -9 of a running service: the kernel drops the lock
        for _ in 0..<100 where holder.isRunning { try await Task.sleep(for: .milliseconds(50)) }
        #expect(!holder.isRunning)
        _ = try SQLiteServiceDatabase(path: url.path)
    }
}
