import CRdKafka
import Dispatch
import Foundation
import Logging
import Synchronization

// Internal plumbing shared by producer, consumer and admin: handle creation, the C
// callbacks (log, error, delivery, rebalance) and blocking-call bridging.
// No librdkafka type escapes this module.

/// Per-client context that C callbacks find through `rd_kafka_opaque(rk)`.
/// The handle keeps it retained (via `Unmanaged`) until `rd_kafka_destroy` has returned.
final class ClientContext: Sendable {
    let logger: Logger
    let role: ClientRole
    /// The first fatal error raised by librdkafka, if any (the instance is then unusable).
    let fatalError = Mutex<KafkaError?>(nil)
    /// Producer only: where delivery reports go.
    let deliveries: DeliveryRegistry?
    /// Consumer only: receives rebalance callbacks.
    let rebalancer: RebalanceHandler?
    /// Values of the sensitive properties this client was created with (set once by
    /// `RdKafkaHandle.make` before any callback can run): scrubbed from every librdkafka
    /// text that is logged or thrown.
    private let secretValues = Mutex<[String]>([])

    init(logger: Logger, role: ClientRole, deliveries: DeliveryRegistry? = nil, rebalancer: RebalanceHandler? = nil) {
        self.logger = logger
        self.role = role
        self.deliveries = deliveries
        self.rebalancer = rebalancer
    }

    var fatal: KafkaError? { fatalError.withLock { $0 } }

    /// Tasks waiting in `waitForFatal()`.
    private let fatalWaiters = Mutex<(next: Int, waiting: [Int: CheckedContinuation<KafkaError?, Never>])>((0, [:]))

    /// Records the first fatal error and wakes every `waitForFatal()` caller. Returns whether
    /// `error` was the first.
    @discardableResult
    func raiseFatal(_ error: KafkaError) -> Bool {
        let first = fatalError.withLock { current -> Bool in
            guard current == nil else { return false }
            current = error
            return true
        }
        guard first else { return false }
        let waiters = fatalWaiters.withLock { state in
            defer { state.waiting = [:] }
            return Array(state.waiting.values)
        }
        for waiter in waiters { waiter.resume(returning: error) }
        return true
    }

    /// Suspends until librdkafka raises a fatal error (returns it) or the task is cancelled
    /// (returns nil).
    func waitForFatal() async -> KafkaError? {
        let id = fatalWaiters.withLock { state in
            defer { state.next += 1 }
            return state.next
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<KafkaError?, Never>) in
                // Checked under the waiters' lock, so a concurrent `raiseFatal` either sees
                // this waiter or has already set the error.
                let ready: KafkaError?? = fatalWaiters.withLock { state in
                    if let fatal = self.fatal { return .some(fatal) }
                    if Task.isCancelled { return .some(nil) }
                    state.waiting[id] = continuation
                    return .none
                }
                if let ready { continuation.resume(returning: ready) }
            }
        } onCancel: {
            fatalWaiters.withLock { $0.waiting.removeValue(forKey: id) }?.resume(returning: nil)
        }
    }

    var secrets: [String] {
        get { secretValues.withLock { $0 } }
        set { secretValues.withLock { $0 = newValue } }
    }

    /// `text` with the client's secret values replaced by `[redacted]`.
    func scrub(_ text: String) -> String {
        let secrets = self.secrets
        return secrets.isEmpty ? text : KafkaClientConfig.scrub(text, secrets: secrets)
    }

    static func from(_ rk: OpaquePointer?) -> ClientContext? {
        guard let rk, let raw = rd_kafka_opaque(rk) else { return nil }
        return Unmanaged<ClientContext>.fromOpaque(raw).takeUnretainedValue()
    }
}

/// Owns one `rd_kafka_t`.
///
/// `@unchecked Sendable` is sound because librdkafka documents its handles as thread-safe:
/// "librdkafka is thread-safe: all public APIs may be called from any thread"
/// (INTRODUCTION.md, "Threads and callbacks"; rdkafka.h: rd_kafka_t objects may be shared
/// between threads). The one exception is `rd_kafka_destroy`, which `destroy()` performs
/// exactly once (guarded by `destroyed`), and every owning client calls it only after its
/// Mutex-protected state guarantees no other call on the handle is running or can start.
final class RdKafkaHandle: @unchecked Sendable {
    let pointer: OpaquePointer
    let context: ClientContext
    private let retainedContext: Unmanaged<ClientContext>
    private let destroyed = Atomic<Bool>(false)

    private init(pointer: OpaquePointer, context: ClientContext, retained: Unmanaged<ClientContext>) {
        self.pointer = pointer
        self.context = context
        self.retainedContext = retained
    }

    /// Creates a client. `configure` may install extra callbacks on the conf object.
    static func make(
        type: rd_kafka_type_t,
        properties: [(String, String)],
        context: ClientContext,
        configure: (OpaquePointer) -> Void = { _ in }
    ) throws -> RdKafkaHandle {
        try Librdkafka.checkRuntimeVersion()
        guard let conf = rd_kafka_conf_new() else {
            throw KafkaError(.configuration, "rd_kafka_conf_new failed")
        }
        var errstr = [CChar](repeating: 0, count: 512)
        let secrets = KafkaClientConfig.secrets(in: properties.map { (key: $0.0, value: $0.1) })
        context.secrets = secrets
        for (key, value) in properties {
            let result = rd_kafka_conf_set(conf, key, value, &errstr, errstr.count)
            if result != RD_KAFKA_CONF_OK {
                rd_kafka_conf_destroy(conf)
                // librdkafka may quote the rejected value: never let a secret through.
                let text = KafkaClientConfig.scrub(cString(errstr), secrets: secrets)
                let shown = KafkaClientConfig.redacted(key: key, value: value)
                throw KafkaError(.configuration, "invalid librdkafka property \(key)=\(shown): \(text)")
            }
        }
        rd_kafka_conf_set_log_cb(conf, rdkafkaLogCallback)
        rd_kafka_conf_set_error_cb(conf, rdkafkaErrorCallback)
        configure(conf)
        let retained = Unmanaged.passRetained(context)
        rd_kafka_conf_set_opaque(conf, retained.toOpaque())
        guard let rk = rd_kafka_new(type, conf, &errstr, errstr.count) else {
            // On failure the conf object is still ours.
            rd_kafka_conf_destroy(conf)
            retained.release()
            throw KafkaError(.configuration, "could not create Kafka client: \(KafkaClientConfig.scrub(cString(errstr), secrets: secrets))")
        }
        return RdKafkaHandle(pointer: rk, context: context, retained: retained)
    }

    /// Destroys the handle (blocking: call only on a client's dedicated queue/thread).
    /// `skipConsumerClose`: for a consumer after a fatal error, which can neither leave its
    /// group nor commit (`RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE`).
    func destroy(skipConsumerClose: Bool = false) {
        guard !destroyed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        if skipConsumerClose {
            rd_kafka_destroy_flags(pointer, Int32(RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE))
        } else {
            rd_kafka_destroy(pointer)
        }
        retainedContext.release()
    }

    var isDestroyed: Bool { destroyed.load(ordering: .acquiring) }

    /// The fatal error librdkafka raised, also when its error callback has not been served
    /// yet (nobody polled): asks `rd_kafka_fatal_error` and records what it says. Call only
    /// where the handle cannot be destroyed meanwhile (the client's own queue/thread).
    func checkFatal() -> KafkaError? {
        if let fatal = context.fatal { return fatal }
        guard !isDestroyed else { return nil }
        var buf = [CChar](repeating: 0, count: 512)
        let err = rd_kafka_fatal_error(pointer, &buf, buf.count)
        guard err != RD_KAFKA_RESP_ERR_NO_ERROR else { return nil }
        let error = KafkaError(.fatal, "fatal librdkafka error in the \(context.role) (the client is unusable): \(context.scrub(cString(buf)))", rdKafka: err)
        if context.raiseFatal(error) { context.logger.critical("\(error)") }
        return context.fatal
    }
}

// MARK: - C callbacks (capture nothing; context via rd_kafka_opaque)

private let rdkafkaLogCallback: @convention(c) (OpaquePointer?, Int32, UnsafePointer<CChar>?, UnsafePointer<CChar>?) -> Void = {
    rk, level, facility, buffer in
    guard let context = ClientContext.from(rk) else { return }
    let fac = facility.map { String(cString: $0) } ?? "-"
    let text = context.scrub(buffer.map { String(cString: $0) } ?? "")
    context.logger.log(
        level: syslogLevel(level), "\(text)",
        metadata: ["rdkafka.facility": "\(fac)"]
    )
}

/// Maps a syslog level (0 emergency … 7 debug), as used by librdkafka, to swift-log.
func syslogLevel(_ level: Int32) -> Logger.Level {
    switch level {
    case ...2: return .critical
    case 3: return .error
    case 4: return .warning
    case 5: return .notice
    case 6: return .info
    default: return .debug
    }
}

private let rdkafkaErrorCallback: @convention(c) (OpaquePointer?, Int32, UnsafePointer<CChar>?, UnsafeMutableRawPointer?) -> Void = {
    rk, err, reason, _ in
    guard let context = ClientContext.from(rk) else { return }
    let code = rd_kafka_resp_err_t(err)
    let text = context.scrub(reason.map { String(cString: $0) } ?? KafkaError.describe(code))
    if code == RD_KAFKA_RESP_ERR__FATAL, let rk {
        var buf = [CChar](repeating: 0, count: 512)
        let original = rd_kafka_fatal_error(rk, &buf, buf.count)
        let error = KafkaError(.fatal, "fatal librdkafka error in the \(context.role) (the client is unusable): \(context.scrub(cString(buf)))", rdKafka: original)
        if context.raiseFatal(error) { context.logger.critical("\(error)") }
    } else if code == RD_KAFKA_RESP_ERR__TRANSPORT || code == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN {
        // Connection churn is normal (e.g. broker restarts, idle disconnects); librdkafka reconnects.
        context.logger.warning("\(text)", metadata: ["rdkafka.error": "\(String(cString: rd_kafka_err2name(code)))"])
    } else {
        context.logger.error("\(text)", metadata: ["rdkafka.error": "\(String(cString: rd_kafka_err2name(code)))"])
    }
}

// MARK: - Blocking-call bridge

/// Runs `body` (which may block in librdkafka) on `queue`, never on the cooperative pool,
/// and resumes the caller exactly once with its result.
func runBlocking<T: Sendable>(on queue: DispatchQueue, _ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, Error>) in
        queue.async {
            continuation.resume(with: Result { try body() })
        }
    }
}

extension Duration {
    /// Milliseconds, clamped to `Int32` (for librdkafka timeouts).
    var milliseconds: Int32 {
        let (seconds, attoseconds) = components
        let ms = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        return Int32(clamping: max(0, ms))
    }
}

// MARK: - Metadata and partition lists

enum Metadata {
    /// Partition counts of all topics the cluster knows (blocking; call on a client queue).
    /// Asks for all topics so that no topic gets auto-created as a side effect.
    static func partitionCounts(_ rk: OpaquePointer, timeout: Duration) throws -> [String: Int] {
        var metadata: UnsafePointer<rd_kafka_metadata_t>? = nil
        let err = rd_kafka_metadata(rk, 1, nil, &metadata, timeout.milliseconds)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR, let md = metadata else {
            let code: KafkaError.Code = err == RD_KAFKA_RESP_ERR__TIMED_OUT ? .timeout : .admin
            throw KafkaError(code, "metadata request failed: \(KafkaError.describe(err))", rdKafka: err)
        }
        defer { rd_kafka_metadata_destroy(md) }
        var counts: [String: Int] = [:]
        for i in 0..<Int(md.pointee.topic_cnt) {
            let topic = md.pointee.topics[i]
            guard topic.err == RD_KAFKA_RESP_ERR_NO_ERROR, let name = topic.topic else { continue }
            counts[String(cString: name)] = Int(topic.partition_cnt)
        }
        return counts
    }
}

enum PartitionList {
    /// Builds a librdkafka list (caller destroys it).
    static func make(_ entries: [(KafkaTopicPartition, Int64?)]) -> UnsafeMutablePointer<rd_kafka_topic_partition_list_t> {
        let list = rd_kafka_topic_partition_list_new(Int32(max(entries.count, 1)))!
        for (tp, offset) in entries {
            let element = rd_kafka_topic_partition_list_add(list, tp.topic, tp.partition)!
            if let offset { element.pointee.offset = offset }
        }
        return list
    }

    /// Reads topic-partitions (and their offsets / errors) out of a librdkafka list.
    static func read(_ list: UnsafePointer<rd_kafka_topic_partition_list_t>?) -> [(KafkaTopicPartition, Int64, rd_kafka_resp_err_t)] {
        guard let list, let elems = list.pointee.elems else { return [] }
        return (0..<Int(list.pointee.cnt)).map { i in
            let e = elems[i]
            return (KafkaTopicPartition(topic: String(cString: e.topic), partition: e.partition), e.offset, e.err)
        }
    }
}

/// Text of a NUL-terminated C buffer.
func cString(_ buffer: [CChar]) -> String {
    buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
}
