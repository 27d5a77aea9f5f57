/// An environment variable for logistics is set but cannot be read; the service refuses to
/// start rather than silently running with a default.
public struct LogisticsConfigError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The variable, e.g. `ORDERFLOW_LOGISTICS_DELIVERY_GRACE_SECONDS`.
    public var variable: String
    /// The value as it was set.
    public var value: String
    /// What a valid value looks like.
    public var expected: String

    public init(variable: String, value: String, expected: String) {
        self.variable = variable
        self.value = value
        self.expected = expected
    }

    public var description: String { "\(variable)='\(value)' is not valid: expected \(expected)" }
}
