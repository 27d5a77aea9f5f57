/// An environment variable of a department is set but cannot be read. Services refuse to
/// start with it rather than silently running with a default.
///
/// Thrown by `EnvironmentReader` and so by every department's `…Config(environment:)`.
public struct ConfigurationError: Error, CustomStringConvertible, Sendable, Hashable {
    /// The full variable name, e.g. `ORDERFLOW_WAREHOUSE_QC_FAILURE_RATE`.
    public var variable: String
    /// The value as it was set (trimmed of surrounding whitespace).
    public var value: String
    /// What a valid value looks like, e.g. `a whole number ≥ 0`.
    public var expected: String

    public init(variable: String, value: String, expected: String) {
        self.variable = variable
        self.value = value
        self.expected = expected
    }

    /// `<variable>='<value>' is not valid: expected <expected>`.
    public var description: String { "\(variable)='\(value)' is not valid: expected \(expected)" }
}
