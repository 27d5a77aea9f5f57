import CRdKafka
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// Producer settings.
public struct KafkaProducerConfig: Sendable {
    /// Connection settings; the producer defaults below win over `client.profileOptions`,
    /// and `client.options` win over the defaults.
    public var client: KafkaClientConfig
    /// How long `shutdown()` waits for outstanding messages to be delivered.
    public var flushTimeout: Duration
    /// How long `send` keeps retrying while librdkafka's local queue is full.
    public var queueFullTimeout: Duration

    /// Creates producer settings.
    public init(client: KafkaClientConfig, flushTimeout: Duration = .seconds(10), queueFullTimeout: Duration = .seconds(5)) {
        self.client = client
        self.flushTimeout = flushTimeout
        self.queueFullTimeout = queueFullTimeout
    }

    /// Defaults the producer sets over any profile (`client.profileOptions`) and before
    /// applying `client.options`: idempotence on, `acks=all`, no delivery timeout, and no
    /// topic auto-creation (topics are created explicitly with `KafkaAdmin`, with their
    /// partition count and config; a send to a missing topic fails with `.delivery` instead
    /// of silently creating it).
    public static let defaultProperties: [String: String] = [
        "enable.idempotence": "true",
        "acks": "all",
        "allow.auto.create.topics": "false",
        // No delivery timeout (infinite), deliberately, and no profile may change it: with
        // idempotence, a message that times out leaves a gap, and when the outbox re-sends
        // it, it lands after later messages of the same key, so an order's status events
        // would lose their causal order after a broker outage (librdkafka, INTRODUCTION.md
        // "gap-less guarantee"). Chosen over `enable.gapless.guarantee=true`, which turns
        // such a timeout into a fatal error that makes the producer unusable until the
        // process restarts; with no timeout there is nothing to fail: undeliverable messages
        // wait for the broker, and librdkafka's idempotent retries keep their order. The
        // outbox retries anyway, and shutdown flushes with a bound and purges the rest (they
        // stay in the outbox). Overriding it in `client.options` is possible and warned about.
        "message.timeout.ms": "0",
        "log.connection.close": "false",
    ]
}

/// An idempotent Kafka producer (`enable.idempotence=true`, `acks=all`).
///
/// `send` returns once the broker has acknowledged the message. A dedicated thread serves
/// delivery reports (`rd_kafka_poll`) for as long as the producer lives; `shutdown()` (or the
/// end of `run()` as a ServiceLifecycle `Service`) flushes with a bounded timeout and then
/// destroys the handle. Sends after shutdown throw `KafkaError(.shutdown)`.
public final class KafkaProducer: Service, Sendable {
    private let core: ProducerCore

    /// Creates the producer and starts its poll thread.
    /// - Throws: `.unsupportedLibrary` (librdkafka < 2.1) or `.configuration`.
    public init(config: KafkaProducerConfig, logger: Logger = Logger(label: "orderflow.kafka.producer")) throws {
        core = try ProducerCore(config: config, logger: logger)
    }

    /// Convenience: producer with default settings for `client`.
    public convenience init(client: KafkaClientConfig, logger: Logger = Logger(label: "orderflow.kafka.producer")) throws {
        try self.init(config: KafkaProducerConfig(client: client), logger: logger)
    }

    deinit { core.requestShutdown() }

    /// Sends one message and returns once the broker has it.
    /// Cancelling the calling task does not withdraw a message already handed to librdkafka.
    /// - Throws: `.delivery` (broker rejected it / timed out), `.queueFull`, `.shutdown`, `.fatal`.
    public func send(_ message: KafkaOutgoingMessage) async throws -> KafkaDeliveryReport {
        let ticket = try await core.enqueue(message)
        return try await core.deliveries.wait(ticket)
    }

    /// Enqueues the messages in order (so per-partition order is kept), then waits for all
    /// delivery reports. Throws the first failure if any message could not be delivered.
    public func send(_ messages: [KafkaOutgoingMessage]) async throws -> [KafkaDeliveryReport] {
        var tickets: [UInt] = []
        tickets.reserveCapacity(messages.count)
        do {
            for message in messages {
                tickets.append(try await core.enqueue(message))
            }
        } catch {
            for ticket in tickets { core.deliveries.discard(ticket) }
            throw error
        }
        var reports: [KafkaDeliveryReport] = []
        var firstError: Error?
        var failures = 0
        for ticket in tickets {
            do {
                reports.append(try await core.deliveries.wait(ticket))
            } catch {
                failures += 1
                if firstError == nil { firstError = error }
            }
        }
        if let firstError {
            if failures == 1 { throw firstError }
            throw KafkaError(.delivery, "\(failures) of \(messages.count) messages were not delivered; first: \(firstError)")
        }
        return reports
    }

    /// Sends the messages in order and reports what became of each one, instead of failing
    /// them all for the first failure: a message the broker or librdkafka refuses for good
    /// (`KafkaError.isPermanent`, e.g. too large) is `.failed` while the others go on.
    ///
    /// Per key, order is kept: once a message is refused as it is handed to librdkafka, the
    /// later messages with the same key are not sent (`.held`), so none of them overtakes it.
    /// (A refusal that comes later, in a delivery report, cannot stop messages already handed
    /// over.) Messages without a key are never held.
    /// - Throws: `.queueFull`, `.shutdown` or `.fatal`, and any other error while handing
    ///   messages over; then no outcome is reported (messages already handed over may still
    ///   be delivered), as with `send(_:)`.
    public func sendEach(_ messages: [KafkaOutgoingMessage]) async throws -> [KafkaSendOutcome] {
        enum Slot { case ticket(UInt), refused(KafkaError), held }
        var slots: [Slot] = []
        slots.reserveCapacity(messages.count)
        var refusedKeys: Set<[UInt8]> = []
        do {
            for message in messages {
                if let key = message.key, refusedKeys.contains(key) {
                    slots.append(.held)
                    continue
                }
                do {
                    slots.append(.ticket(try await core.enqueue(message)))
                } catch let error as KafkaError where error.isPermanent {
                    slots.append(.refused(error))
                    if let key = message.key { refusedKeys.insert(key) }
                }
            }
        } catch {
            for case .ticket(let ticket) in slots { core.deliveries.discard(ticket) }
            throw error
        }
        var outcomes: [KafkaSendOutcome] = []
        outcomes.reserveCapacity(slots.count)
        var clientError: KafkaError?
        for slot in slots {
            switch slot {
            case .ticket(let ticket):
                do {
                    outcomes.append(.delivered(try await core.deliveries.wait(ticket)))
                } catch let error as KafkaError {
                    if error.code == .fatal || error.code == .shutdown { clientError = clientError ?? error }
                    outcomes.append(.failed(error))
                }
            case .refused(let error): outcomes.append(.failed(error))
            case .held: outcomes.append(.held)
            }
        }
        if let clientError { throw clientError }
        return outcomes
    }

    /// Flushes outstanding messages (bounded by `flushTimeout`), fails whatever is still
    /// undelivered with `.shutdown`, and destroys the handle. Idempotent.
    public func shutdown() async {
        await core.shutdown()
    }

    /// Whether the producer can still publish: not after a fatal librdkafka error, nor once
    /// shut down.
    public var health: KafkaClientHealth { core.health }

    /// ServiceLifecycle entry point: waits for graceful shutdown (or cancellation), then
    /// `shutdown()`. A fatal librdkafka error ends it at once, also while nothing is being
    /// sent: the producer shuts down and `run()` throws the `KafkaError(.fatal)`, so that the
    /// service group (and the process) ends with an error instead of ticking on unable to publish.
    public func run() async throws {
        let fatal = await cancelWhenGracefulShutdown { [core] in await core.waitForFatal() }
        await shutdown()
        if let fatal { throw fatal }
    }

    /// **Test hook, not for production code.** Makes librdkafka raise a fatal error on this
    /// (idempotent) producer, as if the broker had fenced it (`rd_kafka_test_fatal_error`
    /// with `OUT_OF_ORDER_SEQUENCE_NUMBER`); the instance is unusable afterwards. Returns
    /// false if the producer is already shut down or a fatal error was raised before.
    @discardableResult
    public func raiseFatalErrorForTesting(_ reason: String) -> Bool {
        core.raiseFatalForTesting(reason)
    }
}

/// Tracks one slot per enqueued message until its delivery report arrives.
final class DeliveryRegistry: Sendable {
    private enum Slot {
        case pending
        case waiting(CheckedContinuation<KafkaDeliveryReport, Error>)
        case done(Result<KafkaDeliveryReport, KafkaError>)
    }

    private struct State {
        var nextID: UInt = 1
        var slots: [UInt: Slot] = [:]
        var closed: KafkaError?
    }

    private let state = Mutex(State())

    func register() throws -> UInt {
        try state.withLock { state in
            if let closed = state.closed { throw closed }
            let id = state.nextID
            state.nextID += 1
            state.slots[id] = .pending
            return id
        }
    }

    func discard(_ id: UInt) {
        _ = state.withLock { $0.slots.removeValue(forKey: id) }
    }

    /// Called from the delivery-report callback (poll thread).
    func complete(_ id: UInt, _ result: Result<KafkaDeliveryReport, KafkaError>) {
        let waiter: CheckedContinuation<KafkaDeliveryReport, Error>? = state.withLock { state in
            switch state.slots[id] {
            case .pending:
                state.slots[id] = .done(result)
                return nil
            case .waiting(let continuation):
                state.slots[id] = nil
                return continuation
            case .done, .none:
                return nil  // duplicate or discarded
            }
        }
        waiter?.resume(with: result.mapError { $0 as Error })
    }

    func wait(_ id: UInt) async throws -> KafkaDeliveryReport {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<KafkaDeliveryReport, Error>) in
            let ready: Result<KafkaDeliveryReport, KafkaError>? = state.withLock { state in
                switch state.slots[id] {
                case .pending:
                    state.slots[id] = .waiting(continuation)
                    return nil
                case .done(let result):
                    state.slots[id] = nil
                    return result
                case .waiting, .none:
                    return .failure(KafkaError(.delivery, "unknown delivery ticket \(id)"))
                }
            }
            if let ready { continuation.resume(with: ready.mapError { $0 as Error }) }
        }
    }

    /// Fails every outstanding slot and refuses new ones.
    func close(with error: KafkaError) {
        let waiters: [CheckedContinuation<KafkaDeliveryReport, Error>] = state.withLock { state in
            state.closed = error
            var waiters: [CheckedContinuation<KafkaDeliveryReport, Error>] = []
            for (id, slot) in state.slots {
                switch slot {
                case .pending: state.slots[id] = .done(.failure(error))
                case .waiting(let continuation):
                    waiters.append(continuation)
                    state.slots[id] = nil
                case .done: break
                }
            }
            return waiters
        }
        for waiter in waiters { waiter.resume(throwing: error) }
    }
}

/// The producer's handle, state and poll thread (kept apart from `KafkaProducer` so that the
/// poll thread does not keep the public object alive: its `deinit` can trigger shutdown).
final class ProducerCore: Sendable {
    private enum Phase { case running, shuttingDown, closed }

    private struct State {
        var phase: Phase = .running
        var activeProduceCalls = 0
        var shutdownWaiters: [CheckedContinuation<Void, Never>] = []
    }

    let deliveries = DeliveryRegistry()
    private let handle: RdKafkaHandle
    private let state = Mutex(State())
    private let config: KafkaProducerConfig
    private let logger: Logger

    init(config: KafkaProducerConfig, logger: Logger) throws {
        self.config = config
        self.logger = logger
        let context = ClientContext(logger: logger, role: .producer, deliveries: deliveries)
        if let timeout = config.client.options["message.timeout.ms"], timeout != "0",
           config.client.options["enable.gapless.guarantee"] != "true" {
            logger.warning("message.timeout.ms=\(timeout) overrides the producer's infinite delivery timeout: after a broker outage a timed-out message can be re-sent after later ones of the same key")
        }
        handle = try RdKafkaHandle.make(
            type: RD_KAFKA_PRODUCER,
            properties: config.client.properties(for: .producer, defaults: KafkaProducerConfig.defaultProperties),
            context: context
        ) { conf in
            rd_kafka_conf_set_dr_msg_cb(conf, deliveryReportCallback)
        }
        let thread = Thread { [self] in self.pollLoop() }
        thread.name = "kafka-producer-poll"
        thread.start()
    }

    /// Hands a message to librdkafka (non-blocking); retries briefly while its queue is full.
    func enqueue(_ message: KafkaOutgoingMessage) async throws -> UInt {
        let deadline = ContinuousClock.now + config.queueFullTimeout
        while true {
            try beginProduce()
            let ticket: UInt
            do { ticket = try deliveries.register() } catch {
                endProduce()
                throw error
            }
            let err = produce(message, ticket: ticket)
            endProduce()
            if err == RD_KAFKA_RESP_ERR_NO_ERROR { return ticket }
            deliveries.discard(ticket)
            if err == RD_KAFKA_RESP_ERR__QUEUE_FULL {
                if ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(5))
                    continue
                }
                throw KafkaError(.queueFull, "producer queue stayed full for \(config.queueFullTimeout)", rdKafka: err)
            }
            throw KafkaError(.delivery, "could not enqueue message for \(message.topic): \(KafkaError.describe(err))", rdKafka: err)
        }
    }

    private func beginProduce() throws {
        if let fatal = handle.context.fatal { throw fatal }
        try state.withLock { state in
            guard state.phase == .running else { throw KafkaError(.shutdown, "producer is shut down") }
            state.activeProduceCalls += 1
        }
    }

    private func endProduce() {
        state.withLock { $0.activeProduceCalls -= 1 }
    }

    var health: KafkaClientHealth {
        if let fatal = handle.context.fatal { return .fatal(fatal.message) }
        return state.withLock { $0.phase == .running } ? .healthy : .closed
    }

    func waitForFatal() async -> KafkaError? {
        await handle.context.waitForFatal()
    }

    func raiseFatalForTesting(_ reason: String) -> Bool {
        // Counts as a produce call: the poll thread cannot destroy the handle meanwhile.
        do { try beginProduce() } catch { return false }
        defer { endProduce() }
        return rd_kafka_test_fatal_error(handle.pointer, RD_KAFKA_RESP_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER, reason) == RD_KAFKA_RESP_ERR_NO_ERROR
    }

    /// Non-blocking `rd_kafka_producev` (via the shim). The handle cannot be destroyed meanwhile
    /// because `activeProduceCalls > 0` holds the poll thread back.
    private func produce(_ message: KafkaOutgoingMessage, ticket: UInt) -> rd_kafka_resp_err_t {
        var headers: OpaquePointer? = nil
        if !message.headers.isEmpty {
            headers = rd_kafka_headers_new(message.headers.count)
            for header in message.headers {
                if let value = header.value {
                    value.withUnsafeBytes { raw in
                        _ = rd_kafka_header_add(headers, header.key, -1, raw.baseAddress ?? UnsafeRawPointer(emptyBytePointer), raw.count)
                    }
                } else {
                    _ = rd_kafka_header_add(headers, header.key, -1, nil, 0)
                }
            }
        }
        let opaque = UnsafeMutableRawPointer(bitPattern: ticket)
        let err = withOptionalBytes(message.key) { key, keyLength in
            withOptionalBytes(message.value) { value, valueLength in
                orderflow_produce(
                    handle.pointer, message.topic, RD_KAFKA_PARTITION_UA,
                    key, keyLength, value, valueLength, headers, opaque)
            }
        }
        if err != RD_KAFKA_RESP_ERR_NO_ERROR, let headers {
            rd_kafka_headers_destroy(headers)  // still ours on failure
        }
        return err
    }

    // MARK: Shutdown

    /// Starts shutdown without waiting (used by `deinit`).
    func requestShutdown() {
        state.withLock { state in
            if state.phase == .running { state.phase = .shuttingDown }
        }
    }

    func shutdown() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let done: Bool = state.withLock { state in
                switch state.phase {
                case .closed: return true
                case .running, .shuttingDown:
                    state.phase = .shuttingDown
                    state.shutdownWaiters.append(continuation)
                    return false
                }
            }
            if done { continuation.resume() }
        }
    }

    /// The poll thread: serves delivery reports until shutdown is requested, then flushes,
    /// fails leftovers, destroys the handle and wakes every `shutdown()` caller.
    private func pollLoop() {
        let rk = handle.pointer
        while true {
            let stop = state.withLock { $0.phase != .running && $0.activeProduceCalls == 0 }
            if stop { break }
            rd_kafka_poll(rk, 50)
        }
        let flushError = rd_kafka_flush(rk, config.flushTimeout.milliseconds)
        if flushError != RD_KAFKA_RESP_ERR_NO_ERROR {
            let left = rd_kafka_outq_len(rk)
            logger.warning("producer flush did not finish (\(KafkaError.describe(flushError))); purging \(left) outstanding messages")
            _ = rd_kafka_purge(rk, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT)
            _ = rd_kafka_flush(rk, 1000)  // serves the purged messages' delivery reports
        }
        deliveries.close(with: KafkaError(.shutdown, "producer shut down before the message was delivered"))
        handle.destroy()
        let waiters = state.withLock { state in
            state.phase = .closed
            let waiters = state.shutdownWaiters
            state.shutdownWaiters = []
            return waiters
        }
        for waiter in waiters { waiter.resume() }
        logger.debug("producer closed")
    }
}

/// A non-null pointer for zero-length payloads (a null pointer would mean "no value" = tombstone).
/// `nonisolated(unsafe)` is sound: the pointer itself is immutable and the byte it points to is
/// never read or written (librdkafka only sees it with length 0).
nonisolated(unsafe) private let emptyBytePointer = UnsafeMutableRawPointer.allocate(byteCount: 1, alignment: 1)

private func withOptionalBytes<R>(_ bytes: [UInt8]?, _ body: (UnsafeRawPointer?, Int) -> R) -> R {
    guard let bytes else { return body(nil, 0) }
    return bytes.withUnsafeBytes { raw in body(UnsafeRawPointer(raw.baseAddress ?? UnsafeRawPointer(emptyBytePointer)), raw.count) }
}

private let deliveryReportCallback: @convention(c) (OpaquePointer?, UnsafePointer<rd_kafka_message_t>?, UnsafeMutableRawPointer?) -> Void = {
    rk, message, _ in
    guard let message, let context = ClientContext.from(rk), let registry = context.deliveries else { return }
    let m = message.pointee
    guard let opaque = m._private else { return }
    let ticket = UInt(bitPattern: opaque)
    let topic = m.rkt.map { String(cString: rd_kafka_topic_name($0)) } ?? "?"
    if m.err == RD_KAFKA_RESP_ERR_NO_ERROR {
        registry.complete(ticket, .success(KafkaDeliveryReport(topic: topic, partition: m.partition, offset: m.offset)))
    } else {
        let code: KafkaError.Code = m.err == RD_KAFKA_RESP_ERR__PURGE_QUEUE || m.err == RD_KAFKA_RESP_ERR__PURGE_INFLIGHT
            ? .shutdown : m.err == RD_KAFKA_RESP_ERR__FATAL ? .fatal : .delivery
        registry.complete(ticket, .failure(KafkaError(
            code, "message to \(topic) was not delivered: \(KafkaError.describe(m.err))", rdKafka: m.err)))
    }
}
