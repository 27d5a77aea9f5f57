import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An exclusive, non-blocking `flock` on `<database>.lock`, held for as long as this object
/// lives (in practice the process's life). The kernel drops it when the process dies, so a
/// restart after kill -9 takes it again at once. A second holder, in another process or in
/// the same one (flock locks belong to the open file, not to the process), is refused with
/// `SecondReplicaRefused`.
final class DatabaseFileLock: Sendable {
    /// The lock file's path.
    let path: String
    private let descriptor: Int32

    /// Takes the lock for the database at `databasePath` (its file is `databasePath + ".lock"`).
    /// - Throws: `SecondReplicaRefused` when another holder has it; `POSIXError` when the lock
    ///   file cannot be opened or locked.
    init(databasePath: String) throws {
        path = databasePath + ".lock"
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let error = errno
            close(fd)
            guard error == EWOULDBLOCK else { throw POSIXError(POSIXErrorCode(rawValue: error) ?? .EIO) }
            throw SecondReplicaRefused(
                "the database \(databasePath) is in use by another process (its lock file \(path) is held)")
        }
        descriptor = fd
    }

    deinit { close(descriptor) }  // closing the last descriptor of the open file releases the flock
}

/// Why a service refuses to run: another replica of it is already running. The SQLite
/// backend keeps one replica's state in one file, so a second replica would hand out the
/// same numbers, split stock and credit, and re-run work after a rebalance.
public struct SecondReplicaRefused: Error, CustomStringConvertible, Sendable {
    /// What was seen (which file is locked, or how many partitions this member holds).
    public let detail: String

    /// What every refusal says after its detail.
    public static let explanation =
        "The SQLite backend holds one replica's state, so each service runs as one replica with SQLite "
        + "(several replicas will need the shared-database backend). Stop the other replica first."

    public init(_ detail: String) { self.detail = detail }

    public var description: String { "refusing to start a second replica: \(detail). \(Self.explanation)" }
}
