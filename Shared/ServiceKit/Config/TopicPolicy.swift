import Foundation
import OrderModel

/// A retention period as operators write it: `infinite` (or `-1`), or a number with a unit
/// `ms`, `s`, `m`, `h`, `d` (`30d`, `12h`); a bare number is milliseconds, as in Kafka.
public enum RetentionPeriod {
    /// Kafka's `retention.ms` for `text`: -1 for infinite; nil when it is not a period.
    public static func milliseconds(of text: String) -> Int64? {
        let text = text.trimmingCharacters(in: .whitespaces).lowercased()
        if text == "infinite" || text == "forever" || text == "-1" { return -1 }
        let units: [(String, Int64)] = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000)]
        for (unit, factor) in units where text.hasSuffix(unit) {
            guard let number = Int64(text.dropLast(unit.count)), number > 0 else { return nil }
            let (product, overflow) = number.multipliedReportingOverflow(by: factor)
            return overflow ? nil : product
        }
        guard let number = Int64(text), number > 0 else { return nil }
        return number
    }

    /// A finite period in seconds (for ages such as `--since 2h`); nil for infinite or invalid.
    public static func seconds(of text: String) -> TimeInterval? {
        guard let milliseconds = milliseconds(of: text), milliseconds > 0 else { return nil }
        return TimeInterval(milliseconds) / 1000
    }

    /// `30d`, `6d`, `12h`, `infinite`: the largest unit that divides it.
    public static func describe(milliseconds: Int64) -> String {
        if milliseconds < 0 { return "infinite" }
        for (unit, factor) in [("d", Int64(86_400_000)), ("h", 3_600_000), ("m", 60_000), ("s", 1000)] where milliseconds % factor == 0 && milliseconds > 0 {
            return "\(milliseconds / factor)\(unit)"
        }
        return "\(milliseconds)ms"
    }
}

/// The configuration OrderFlow's topics are created with (`orderctl topics create`), and the
/// check of existing topics against it (README, Operations: topic retention).
///
/// - Inbox topics (`orders.submitted`, the four department topics, `orders.replenishment`):
///   6 days, with 1-day segments so that a message is gone by 7 days at the latest, before a
///   service's inbox forgets its id (after 7 days): a group whose offsets were lost and that
///   re-reads its topic finds every id it reads. Still covers a consumer stopped over a long weekend.
/// - `orders.status`: kept for ever by default: tracking, KPIs and analytics rebuild from it,
///   and a finite retention means a rebuilt tracking store silently lacks the older orders.
///   Status events are small (about 1 KB), so a year of 1 million orders is some 15 GB.
/// - `orders.deadletter`: 30 days, longer than the inbox topics, so ops can fix the cause and
///   replay; `orders.deadletter.replays` and master data are compacted (latest per key, kept).
public struct TopicPolicy: Sendable, Hashable {
    public var inboxRetentionMs: Int64
    public var statusRetentionMs: Int64
    public var deadletterRetentionMs: Int64

    public static let defaultInboxRetentionMs: Int64 = 6 * 86_400_000
    public static let defaultStatusRetentionMs: Int64 = -1
    public static let defaultDeadletterRetentionMs: Int64 = 30 * 86_400_000
    /// Segment length of the inbox topics: retention deletes whole segments.
    public static let inboxSegmentMs: Int64 = 86_400_000

    public init(inboxRetentionMs: Int64 = Self.defaultInboxRetentionMs, statusRetentionMs: Int64 = Self.defaultStatusRetentionMs,
                deadletterRetentionMs: Int64 = Self.defaultDeadletterRetentionMs) {
        self.inboxRetentionMs = inboxRetentionMs
        self.statusRetentionMs = statusRetentionMs
        self.deadletterRetentionMs = deadletterRetentionMs
    }

    /// From flags, else `ORDERFLOW_INBOX_RETENTION`, `ORDERFLOW_STATUS_RETENTION`,
    /// `ORDERFLOW_DEADLETTER_RETENTION`, else the defaults.
    /// - Throws: `TopicPolicyError` for a value that is not a period, or a dead letter (or
    ///   status topic) kept less long than the inbox topics.
    public static func resolve(inbox: String? = nil, status: String? = nil, deadletter: String? = nil,
                               environment: [String: String] = ProcessInfo.processInfo.environment) throws -> TopicPolicy {
        func period(_ flag: String?, _ variable: String, _ fallback: Int64) throws -> Int64 {
            guard let text = flag ?? environment[variable].flatMap({ $0.isEmpty ? nil : $0 }) else { return fallback }
            guard let value = RetentionPeriod.milliseconds(of: text) else {
                throw TopicPolicyError("\(variable) '\(text)' is not a retention period (e.g. 30d, 12h, infinite)")
            }
            return value
        }
        let policy = TopicPolicy(inboxRetentionMs: try period(inbox, "ORDERFLOW_INBOX_RETENTION", defaultInboxRetentionMs),
                                 statusRetentionMs: try period(status, "ORDERFLOW_STATUS_RETENTION", defaultStatusRetentionMs),
                                 deadletterRetentionMs: try period(deadletter, "ORDERFLOW_DEADLETTER_RETENTION", defaultDeadletterRetentionMs))
        try policy.validate()
        return policy
    }

    /// The dead letter and `orders.status` must be kept longer than the inbox topics.
    public func validate() throws {
        func longer(_ a: Int64, than b: Int64) -> Bool { a < 0 || (b >= 0 && a > b) }
        guard longer(deadletterRetentionMs, than: inboxRetentionMs) else {
            throw TopicPolicyError("the dead letter's retention (\(RetentionPeriod.describe(milliseconds: deadletterRetentionMs))) must be longer than the inbox topics' (\(RetentionPeriod.describe(milliseconds: inboxRetentionMs))): ops need time to fix and replay")
        }
        guard longer(statusRetentionMs, than: inboxRetentionMs) || statusRetentionMs == inboxRetentionMs else {
            throw TopicPolicyError("orders.status's retention (\(RetentionPeriod.describe(milliseconds: statusRetentionMs))) must not be shorter than the inbox topics' (\(RetentionPeriod.describe(milliseconds: inboxRetentionMs)))")
        }
    }

    /// The topic-level configuration `topic` is created with.
    public func config(for topic: Topic) -> [String: String] {
        switch topic {
        case .products, .customers, .deadletterReplays:
            return ["cleanup.policy": "compact"]
        case .status:
            return ["cleanup.policy": "delete", "retention.ms": String(statusRetentionMs)]
        case .deadletter:
            return ["cleanup.policy": "delete", "retention.ms": String(deadletterRetentionMs)]
        case .submitted, .review, .warehouse, .logistics, .billing, .replenishment:
            return ["cleanup.policy": "delete", "retention.ms": String(inboxRetentionMs),
                    "segment.ms": String(inboxRetentionMs < 0 ? Self.inboxSegmentMs : min(Self.inboxSegmentMs, inboxRetentionMs))]
        }
    }
}

public struct TopicPolicyError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// How an existing topic's configuration compares with the policy.
public enum TopicConfigFinding: Sendable, Hashable, CustomStringConvertible {
    /// The topic has `key` set to another value.
    case differs(key: String, wanted: String, actual: String)
    /// The broker reports no value for `key`: its broker-wide default applies.
    case notSet(key: String, wanted: String)

    public var description: String {
        switch self {
        case .differs(let key, let wanted, let actual): "\(key) is \(Self.show(key, actual)), OrderFlow wants \(Self.show(key, wanted))"
        case .notSet(let key, let wanted): "\(key) is not set on the topic (the broker's default applies), OrderFlow wants \(Self.show(key, wanted))"
        }
    }

    /// The setting concerned.
    public var key: String {
        switch self {
        case .differs(let key, _, _), .notSet(let key, _): key
        }
    }

    /// The value OrderFlow wants for it.
    public var wanted: String {
        switch self {
        case .differs(_, let wanted, _), .notSet(_, let wanted): wanted
        }
    }

    private static func show(_ key: String, _ value: String) -> String {
        guard key.hasSuffix(".ms"), let ms = Int64(value) else { return value }
        return "\(value) (\(RetentionPeriod.describe(milliseconds: ms)))"
    }

    /// Compares the wanted configuration with what the broker reports: numbers as numbers,
    /// `cleanup.policy` as a set (`compact,delete` = `delete,compact`), the rest as text.
    public static func compare(wanted: [String: String], actual: [String: String]) -> [TopicConfigFinding] {
        wanted.sorted { $0.key < $1.key }.compactMap { key, value in
            guard let current = actual[key] else { return .notSet(key: key, wanted: value) }
            return same(key, value, current) ? nil : .differs(key: key, wanted: value, actual: current)
        }
    }

    static func same(_ key: String, _ a: String, _ b: String) -> Bool {
        if let x = Int64(a.trimmingCharacters(in: .whitespaces)), let y = Int64(b.trimmingCharacters(in: .whitespaces)) { return x == y }
        if key == "cleanup.policy" {
            func parts(_ text: String) -> Set<String> { Set(text.lowercased().split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }) }
            return parts(a) == parts(b)
        }
        return a == b
    }
}

/// One line of a topic check, for people (`orderctl topics create` / `check`).
public struct TopicCheckLine: Sendable, Hashable {
    public enum Verdict: Sendable, Hashable {
        /// The topic's settings are OrderFlow's.
        case ok
        /// A setting differs or is not set.
        case differs
        /// The broker could not tell.
        case couldNotCheck
    }

    public var verdict: Verdict
    public var text: String

    /// The lines for `topics` (with their physical names), given what the broker described:
    /// nil when DescribeConfigs failed as a whole (`error` says how); a topic missing from
    /// `described` could not be checked either.
    public static func lines(for topics: [Topic], names: TopicNames, policy: TopicPolicy,
                             described: [String: [String: String]]?, error: String? = nil) -> [TopicCheckLine] {
        guard !topics.isEmpty else { return [] }
        guard let described else {
            return [TopicCheckLine(verdict: .couldNotCheck, text:
                "warning: could not check the settings of the existing topics (the broker does not answer DescribeConfigs: \(error ?? "no answer")); check retention.ms and cleanup.policy by hand (README, Operations: topic retention)")]
        }
        var lines: [TopicCheckLine] = []
        for topic in topics {
            let name = names.name(topic)
            guard let actual = described[name] else {
                lines.append(TopicCheckLine(verdict: .couldNotCheck, text: "warning: \(name): could not check its settings (the broker described nothing for it)"))
                continue
            }
            let findings = TopicConfigFinding.compare(wanted: policy.config(for: topic), actual: actual)
            if findings.isEmpty { lines.append(TopicCheckLine(verdict: .ok, text: "\(name): ok")) }
            for finding in findings {
                lines.append(TopicCheckLine(verdict: .differs, text:
                    "warning: \(name): \(finding); existing topics are not changed: set it with your Kafka tools (kafka-configs --alter --entity-type topics --entity-name \(name) --add-config \(finding.key)=\(finding.wanted))"))
            }
        }
        return lines
    }
}
