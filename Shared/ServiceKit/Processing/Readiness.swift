import Synchronization

/// What `/ready` reports: the database is open, master data has caught up (where the
/// service needs it) and the consumer has joined its group.
public final class Readiness: Sendable {
    private struct State {
        var databaseOpen = false
        var masterDataCaughtUp = false
        var consuming = false
        var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
        var nextWaiter = 0
    }

    private let state = Mutex(State())
    private let joined: @Sendable () -> Bool

    /// `joined` tells whether the inbox consumer has partitions assigned.
    public init(needsMasterData: Bool, joined: @escaping @Sendable () -> Bool) {
        self.joined = joined
        state.withLock { $0.masterDataCaughtUp = !needsMasterData }
    }

    public func markDatabaseOpen() { state.withLock { $0.databaseOpen = true } }
    public func markConsuming() { state.withLock { $0.consuming = true } }

    public func markMasterDataCaughtUp() {
        let waiters = state.withLock { state in
            state.masterDataCaughtUp = true
            defer { state.waiters = [:] }
            return state.waiters
        }
        waiters.values.forEach { $0.resume() }
    }

    /// Suspends until master data has caught up (returns at once when not needed) or the
    /// task is cancelled (then it returns too: callers check `Task.isCancelled`).
    public func waitForMasterData() async {
        let id = state.withLock { state in
            defer { state.nextWaiter += 1 }
            return state.nextWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLock { state in
                    if state.masterDataCaughtUp || Task.isCancelled { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            state.withLock { $0.waiters.removeValue(forKey: id) }?.resume()
        }
    }

    /// The checks, by name, and whether each passes.
    public var checks: [(name: String, ok: Bool)] {
        let snapshot = state.withLock { ($0.databaseOpen, $0.masterDataCaughtUp) }
        return [("database", snapshot.0), ("masterdata", snapshot.1), ("consumer", joined())]
    }

    public var isReady: Bool { checks.allSatisfy(\.ok) }
}
