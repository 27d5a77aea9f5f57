import Foundation
import OrderModel

/// One replay of a dead letter, as recorded on `orders.deadletter.replays` (compacted; key
/// = the letter's `replayKey`, so the latest replay of each original message is kept for as
/// long as the topic exists, whichever machine `orderctl` ran on).
public struct DeadLetterReplayRecord: Codable, Sendable, Hashable {
    public var schemaVersion: Int
    /// The original message: `<source.topic>/<partition>/<offset>/<digest>`.
    public var replayKey: String
    /// The dead letter's id (`<partition>:<offset>` in `orders.deadletter`).
    public var deadLetter: String
    public var reason: String
    public var service: String
    /// Where the replayed copy went.
    public var topic: String
    public var partition: Int32
    public var offset: Int64
    public var replayedAt: Date
    /// Who replayed it (`user@host`).
    public var replayedBy: String
    /// Replayed with `--force` although replayed before.
    public var forced: Bool

    public init(letter: DeadLetter, topic: String, partition: Int32, offset: Int64, replayedAt: Date, replayedBy: String, forced: Bool) {
        schemaVersion = 1
        replayKey = letter.replayKey
        deadLetter = letter.id
        reason = letter.reason
        service = letter.service
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.replayedAt = replayedAt
        self.replayedBy = replayedBy
        self.forced = forced
    }
}

/// What `orderctl deadletter replay` does with one selected dead letter.
public enum DeadLetterReplayDecision: Sendable, Hashable {
    /// Send it again (`forced`: although it was replayed before).
    case replay(forced: Bool)
    /// Not sent: it was replayed before (and `--force` was not given).
    case alreadyReplayed(DeadLetterReplayRecord)
    /// Not sent: it cannot be replayed (body omitted, no source topic …); the text says why.
    case cannotReplay(String)

    /// Decides for `letter`, given the replays recorded so far (by replay key).
    public static func decide(_ letter: DeadLetter, replays: [String: DeadLetterReplayRecord], force: Bool) -> Self {
        if let problem = letter.replayProblem { return .cannotReplay(problem) }
        if let previous = replays[letter.replayKey] {
            return force ? .replay(forced: true) : .alreadyReplayed(previous)
        }
        return .replay(forced: false)
    }
}
