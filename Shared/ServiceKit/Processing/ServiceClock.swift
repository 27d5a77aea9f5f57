import Foundation

/// The time a service hands its rules. Normally the wall clock; `ORDERFLOW_CLOCK_OFFSET_SECONDS`
/// shifts it (a test hook, like `ORDERFLOW_CRASH_AT`: end-to-end tests restart billing
/// forty days ahead to see invoices fall overdue). Never set it in production.
public struct ServiceClock: Sendable {
    public var offset: TimeInterval

    public init(offset: TimeInterval = 0) { self.offset = offset }

    public init(environment: [String: String]) {
        self.init(offset: environment["ORDERFLOW_CLOCK_OFFSET_SECONDS"].flatMap(TimeInterval.init) ?? 0)
    }

    public func now() -> Date { Date().addingTimeInterval(offset) }
}
