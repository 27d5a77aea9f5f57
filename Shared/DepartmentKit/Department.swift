import Foundation
import OrderModel

/// An event as a department's rules receive it: the decoded payload plus the envelope
/// facts the rules may need.
public struct InboundEvent: Sendable {
    /// The envelope id (for submissions: `orders.submitted/<partition>/<offset>/<digest of the bytes>`).
    public var id: String
    public var type: String
    public var source: String
    public var subject: String?
    public var time: Date
    public var correlationId: String?
    public var payload: any EventPayload

    public init(id: String, type: String, source: String, subject: String?, time: Date, correlationId: String?,
                payload: any EventPayload) {
        self.id = id
        self.type = type
        self.source = source
        self.subject = subject
        self.time = time
        self.correlationId = correlationId
        self.payload = payload
    }

    /// Wraps a payload the way the runtime would, for tests and tools.
    public init<P: EventPayload>(_ payload: P, id: String = UUID().uuidString, source: String = "/test",
                                 time: Date = Date(), correlationId: String? = nil) {
        self.init(id: id, type: P.eventType, source: source, subject: nil, time: time,
                  correlationId: correlationId, payload: payload)
    }
}

/// A submission read from `orders.submitted`, handed to intake's rules like an event.
public struct OrderSubmitted: EventPayload {
    public static let eventType = "order.submitted"
    public static let dataVersion = 1
    public var submission: OrderSubmission
    /// The size of the message's value in bytes, as read from `orders.submitted` (nil when
    /// not known, e.g. in tests that build a submission directly).
    public var byteCount: Int?
    public init(submission: OrderSubmission, byteCount: Int? = nil) {
        self.submission = submission
        self.byteCount = byteCount
    }
}

/// What a handler knows besides the event and its state: the time, which it must use
/// instead of reading a clock, so that rules stay pure and testable.
public struct HandlerContext: Sendable {
    public var now: Date
    public init(now: Date) { self.now = now }

    /// Today's date (UTC).
    public var today: LocalDate { LocalDate(now) }
}

/// An event a handler wants published. The runtime gives it an id, source, time and
/// causation, stores it in the outbox in the same transaction as the state change, and
/// publishes it after commit. The payload stays typed until then, so it is encoded once,
/// straight into its envelope.
public struct OutgoingEvent: Sendable, Hashable {
    public var topic: Topic
    /// The Kafka key: the order id, or the SKU for stock events.
    public var key: String
    public var type: String
    public var dataVersion: Int
    public var subject: String?
    public var correlationId: String?
    /// The typed payload (`type` and `dataVersion` are its own).
    public var payload: any EventPayload

    public init<P: EventPayload>(_ payload: P, to topic: Topic, key: String, subject: String? = nil,
                                 correlationId: String? = nil) {
        self.topic = topic
        self.key = key
        self.type = P.eventType
        self.dataVersion = P.dataVersion
        self.subject = subject ?? key
        self.correlationId = correlationId
        self.payload = payload
    }

    /// The payload as a JSON tree (for tests and tools; the runtime encodes `payload` directly).
    public var data: JSONValue {
        // Payloads are plain Codable structs; failing to encode one is a programming error.
        let payload: any EventPayload = self.payload
        return Self.tree(payload)
    }

    /// The payload as `type`, when it is one (for tests and tools).
    public func payload<P: EventPayload>(as type: P.Type) -> P? {
        payload as? P
    }

    public static func == (lhs: OutgoingEvent, rhs: OutgoingEvent) -> Bool {
        lhs.topic == rhs.topic && lhs.key == rhs.key && lhs.type == rhs.type && lhs.dataVersion == rhs.dataVersion
            && lhs.subject == rhs.subject && lhs.correlationId == rhs.correlationId
            && Self.hashable(lhs.payload) == Self.hashable(rhs.payload)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(topic)
        hasher.combine(key)
        hasher.combine(type)
        hasher.combine(Self.hashable(payload))
    }

    private static func hashable(_ payload: any EventPayload) -> AnyHashable { wrap(payload) }
    private static func wrap<P: EventPayload>(_ payload: P) -> AnyHashable { AnyHashable(payload) }
    private static func tree<P: EventPayload>(_ payload: P) -> JSONValue { try! JSONValue(encoding: payload) }
}

/// A line a handler wants logged (rules don't log themselves; the runtime does, with the
/// event's metadata).
public struct LogNote: Sendable, Hashable {
    public enum Level: String, Sendable, Hashable { case debug, info, notice, warning, error }
    public var level: Level
    public var message: String
    public init(_ level: Level, _ message: String) {
        self.level = level
        self.message = message
    }
}

/// What a handler decided: events to publish and notes to log.
public struct HandlerOutcome: Sendable {
    public var events: [OutgoingEvent] = []
    public var logs: [LogNote] = []

    public init() {}

    /// Emits `payload` to `topic` under `key`.
    public mutating func emit<P: EventPayload>(_ payload: P, to topic: Topic, key: String, correlationId: String? = nil) {
        events.append(OutgoingEvent(payload, to: topic, key: key, correlationId: correlationId))
    }

    /// Emits an `order.status-changed` on `orders.status`.
    public mutating func status(_ ref: OrderRef, _ status: OrderStatus, reasons: [Reason]? = nil,
                                department: String, at: Date, details: [String: String]? = nil) {
        let change = OrderStatusChanged(ref: ref, status: status, reasons: reasons, department: department, at: at, details: details)
        emit(change, to: .status, key: ref.orderId.rawValue, correlationId: ref.correlationId)
    }

    public mutating func log(_ level: LogNote.Level, _ message: String) { logs.append(LogNote(level, message)) }

    public mutating func append(_ other: HandlerOutcome) {
        events += other.events
        logs += other.logs
    }

    /// The status changes among the events, in order (for tests).
    public var statusChanges: [OrderStatusChanged] { events.compactMap { $0.payload(as: OrderStatusChanged.self) } }

    /// The payloads of one type among the events, in order (for tests).
    public func payloads<P: EventPayload>(_ type: P.Type) -> [P] { events.compactMap { $0.payload(as: type) } }
}

/// A department's rules: pure functions of (event, own state, time) that change the state
/// and say what to publish. No I/O, no clocks, no randomness but what is derived from
/// the inputs, so each rule can be tested as a value.
public protocol DepartmentRules: Sendable {
    /// The service name: `intake`, `review`, `warehouse`, `logistics`, `billing`.
    var department: String { get }

    /// The event types this department acts on; any other event on its inbox goes to the
    /// dead letter (`unexpected_event_type`).
    var handledEventTypes: Set<String> { get }

    /// Acts on one inbound event.
    func handle(_ event: InboundEvent, state: any StateStore, context: HandlerContext) throws -> HandlerOutcome

    /// Time-driven work (stage time limits, overdue sweeps, demo-mode steps): called once
    /// for each timer the rules scheduled (`StateStore.schedule`) when it is due, after the
    /// timer was removed (scheduling it again inside is how a rule repeats).
    func wake(_ timer: DueTimer, state: any StateStore, context: HandlerContext) throws -> HandlerOutcome
}

extension DepartmentRules {
    public func wake(_ timer: DueTimer, state: any StateStore, context: HandlerContext) throws -> HandlerOutcome {
        HandlerOutcome()
    }

    /// Fires the timers due at `context.now`, earliest first and at most `limit` of them:
    /// each is removed, then the rules are woken for it. Work is proportional to what is
    /// due, not to what is stored. The runtime's timer calls this inside a transaction;
    /// unit tests call it as the clock would.
    public func tick(state: any StateStore, context: HandlerContext, limit: Int = 10_000) throws -> HandlerOutcome {
        var outcome = HandlerOutcome()
        for timer in try state.dueTimers(at: context.now, limit: limit) {
            try state.cancelTimer(timer.name, key: timer.key)
            outcome.append(try wake(timer, state: state, context: context))
        }
        return outcome
    }
}

/// A domain error a handler throws for an event it cannot act on (the runtime sends the
/// event to the dead letter with this reason, rolls back the handler's writes and moves on).
public struct RuleViolation: Error, Sendable, CustomStringConvertible {
    public var reason: String
    /// The dead letter's `reason` header (e.g. `too_large`); nil: `handler_error`.
    public var code: String?
    public init(_ reason: String, code: String? = nil) {
        self.reason = reason
        self.code = code
    }
    public var description: String { reason }
}

/// Stable pseudo-randomness derived from the inputs (FNV-1a), for simulated outcomes in
/// demo mode (QC failures, carrier delays) that must be the same when an event is
/// processed again after a crash.
public enum StableDice {
    /// A number in 0..<1 derived from `seed`.
    public static func roll(_ seed: String) -> Double {
        var hash = StableHash.of(seed)
        // Final avalanche so that close seeds give far-apart numbers.
        hash ^= hash >> 33
        hash &*= 0xff51_afd7_ed55_8ccd
        hash ^= hash >> 33
        return Double(hash >> 11) / Double(1 << 53)
    }
}
