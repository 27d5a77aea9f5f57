import Kafka
import Synchronization

/// What `/ready` reports: the database is open, master data has caught up (where the
/// service needs it), the inbox consumer is healthy (no fatal error, not closed) and has
/// joined its group, the producer is healthy (no fatal error, not shut down), and no
/// outbox row is parked. Each failing check says why (`failures`).
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
    private let consumerHealth: @Sendable () -> KafkaClientHealth
    private let producerHealth: @Sendable () -> KafkaClientHealth
    private let parkedRows: @Sendable () -> Int
    private let holding: @Sendable () -> Bool

    /// `joined` tells whether the inbox consumer has partitions assigned; `consumer` and
    /// `producer` tell whether those clients can still work (`KafkaConsumer.health`,
    /// `KafkaProducer.health`); `parked` how many outbox rows are parked
    /// (`OutboxPublisher.parkedCount`); `holding` whether the inbox is held because another
    /// member is in the consumer group (`SoleMemberGuard.isHolding`).
    public init(needsMasterData: Bool,
                consumer: @escaping @Sendable () -> KafkaClientHealth = { .healthy },
                producer: @escaping @Sendable () -> KafkaClientHealth = { .healthy },
                parked: @escaping @Sendable () -> Int = { 0 },
                holding: @escaping @Sendable () -> Bool = { false },
                joined: @escaping @Sendable () -> Bool) {
        self.joined = joined
        self.holding = holding
        self.parkedRows = parked
        self.consumerHealth = consumer
        self.producerHealth = producer
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

    /// One readiness condition: its name and, when it fails, why.
    public struct Check: Sendable, Equatable {
        public var name: String
        /// Why the check fails; nil when it passes.
        public var problem: String?
        public var ok: Bool { problem == nil }
        public init(name: String, problem: String? = nil) {
            self.name = name
            self.problem = problem
        }
    }

    /// The checks, in order: `database`, `masterdata`, `consumer`, `producer`, `outbox`.
    public var report: [Check] {
        let snapshot = state.withLock { ($0.databaseOpen, $0.masterDataCaughtUp) }
        return Self.compose(databaseOpen: snapshot.0, masterDataCaughtUp: snapshot.1,
                            consumer: consumerHealth(), consumerJoined: joined(), producer: producerHealth(),
                            parkedRows: parkedRows(), holdingInbox: holding())
    }

    /// Readiness from its conditions (pure).
    public static func compose(databaseOpen: Bool, masterDataCaughtUp: Bool, consumer: KafkaClientHealth,
                               consumerJoined: Bool, producer: KafkaClientHealth, parkedRows: Int = 0,
                               holdingInbox: Bool = false) -> [Check] {
        let holding = "holding its inbox: another member is in its consumer group (SQLite: one replica per service)"
        return [
            Check(name: "database", problem: databaseOpen ? nil : "not open"),
            Check(name: "masterdata", problem: masterDataCaughtUp ? nil : "not caught up with the master-data topics"),
            // Holding comes first: a member that the group gave no partition holds its inbox too.
            Check(name: "consumer", problem: consumer.problem ?? (holdingInbox ? holding
                                                                  : consumerJoined ? nil : "not joined to its consumer group")),
            Check(name: "producer", problem: producer.problem),
            Check(name: "outbox", problem: parkedRows == 0 ? nil
                : "\(parkedRows) outbox rows parked: the broker refuses them for good (GET /parked; orderctl parked)"),
        ]
    }

    /// The checks, by name, and whether each passes.
    public var checks: [(name: String, ok: Bool)] { report.map { ($0.name, $0.ok) } }

    /// The failing checks with their reasons.
    public var failures: [Check] { report.filter { !$0.ok } }

    public var isReady: Bool { report.allSatisfy(\.ok) }

    /// The `/ready` response body: `{"ready":…,"service":…,"checks":{name:bool,…},"failing":{name:reason,…}}`
    /// (`failing` is empty when ready).
    public static func responseBody(service: String, checks: [Check]) -> String {
        let ready = checks.allSatisfy(\.ok)
        let flags = checks.map { "\(jsonString($0.name)):\($0.ok)" }.joined(separator: ",")
        let failing = checks.compactMap { check in check.problem.map { "\(jsonString(check.name)):\(jsonString($0))" } }
            .joined(separator: ",")
        return #"{"ready":\#(ready),"service":\#(jsonString(service)),"checks":{\#(flags)},"failing":{\#(failing)}}"#
    }

    /// `text` as a JSON string literal.
    static func jsonString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
