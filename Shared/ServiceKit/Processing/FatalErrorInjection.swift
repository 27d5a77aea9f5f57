import Foundation
import Kafka
import ServiceLifecycle

/// Fault injection for tests: `ORDERFLOW_FATAL_AFTER_MS=<n>` makes the service's producer
/// raise a librdkafka fatal error (`KafkaProducer.raiseFatalErrorForTesting`) n milliseconds
/// after start, whether or not anything is being consumed, to check that the process then
/// exits non-zero with a clear message. A test hook: unset in production.
public struct FatalErrorInjection: Sendable {
    public let afterMilliseconds: Int

    /// nil unless `ORDERFLOW_FATAL_AFTER_MS` is a non-negative number.
    public init?(environment: [String: String] = ProcessInfo.processInfo.environment) {
        guard let text = environment["ORDERFLOW_FATAL_AFTER_MS"], let ms = Int(text), ms >= 0 else { return nil }
        afterMilliseconds = ms
    }
}

/// Raises the injected fatal error (see `FatalErrorInjection`), then waits for shutdown.
final class FatalErrorInjector: Service {
    let fault: FatalErrorInjection
    let producer: KafkaProducer

    init(fault: FatalErrorInjection, producer: KafkaProducer) {
        self.fault = fault
        self.producer = producer
    }

    func run() async throws {
        try? await cancelWhenGracefulShutdown { [fault] in try await Task.sleep(for: .milliseconds(fault.afterMilliseconds)) }
        guard !Task.isCancelled, !Task.isShuttingDownGracefully else { return }
        FileHandle.standardError.write(Data("ORDERFLOW_FATAL_AFTER_MS reached: raising a fatal producer error (test hook)\n".utf8))
        producer.raiseFatalErrorForTesting("injected by ORDERFLOW_FATAL_AFTER_MS (test hook)")
        try? await gracefulShutdown()
    }
}
