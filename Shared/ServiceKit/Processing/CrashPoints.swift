import Foundation
import Synchronization

/// Fault injection for crash tests: `ORDERFLOW_CRASH_AT=<point>:<n>` makes the process
/// kill itself with SIGKILL the n-th time it passes `<point>`, e.g. `after-db-commit:3` —
/// between the database commit and the offset commit, the window that at-least-once
/// delivery must survive. Unset in production; costs one comparison per batch.
public struct CrashPoints: Sendable {
    public enum Point: String, Sendable, CaseIterable {
        /// After the batch's transaction committed, before anything was published.
        case afterDatabaseCommit = "after-db-commit"
        /// After the outbox was published, before offsets were committed.
        case afterPublish = "after-publish"
    }

    private let armed: (point: Point, count: Int)?
    private let passes = Passes()

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        guard let spec = environment["ORDERFLOW_CRASH_AT"] else { armed = nil; return }
        let parts = spec.split(separator: ":")
        if let first = parts.first, let point = Point(rawValue: String(first)) {
            armed = (point, parts.count > 1 ? Int(parts[1]) ?? 1 : 1)
        } else {
            armed = nil
        }
    }

    public var isArmed: Bool { armed != nil }

    /// Kills the process if this is the armed pass of `point`.
    public func pass(_ point: Point) {
        guard let armed, armed.point == point else { return }
        if passes.increment() == armed.count {
            FileHandle.standardError.write(Data("crash point \(point.rawValue) reached: SIGKILL\n".utf8))
            kill(getpid(), SIGKILL)
        }
    }

    /// A counter shared by copies of `CrashPoints`.
    private final class Passes: Sendable {
        private let count = Mutex(0)
        func increment() -> Int { count.withLock { $0 += 1; return $0 } }
    }
}
