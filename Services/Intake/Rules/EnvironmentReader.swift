import Foundation
import OrderModel

/// Reads `ORDERFLOW_INTAKE_<NAME>` variables for `IntakeConfig`: an unset variable gives
/// the default, a value that cannot be read is an error naming the variable (a service
/// must not start with a setting it silently ignored).
struct EnvironmentReader {
    let environment: [String: String]
    let prefix: String

    func variable(_ name: String) -> String { prefix + name }

    /// The raw value, trimmed; nil when unset.
    func raw(_ name: String) -> String? {
        environment[variable(name)].map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
    }

    /// A decimal number ≥ 0 such as `200000.00`.
    func nonNegativeDecimal(_ name: String) throws(IntakeConfig.InvalidVariable) -> Decimal? {
        guard let text = raw(name) else { return nil }
        guard let value = ExactDecimal.parse(text), value >= 0 else {
            throw IntakeConfig.InvalidVariable(variable: variable(name), value: text, expected: "a decimal number ≥ 0, e.g. 200000.00")
        }
        return value
    }

    /// A non-empty word such as `standard`.
    func word(_ name: String) throws(IntakeConfig.InvalidVariable) -> String? {
        guard let text = raw(name) else { return nil }
        guard !text.isEmpty else {
            throw IntakeConfig.InvalidVariable(variable: variable(name), value: text, expected: "a non-empty value")
        }
        return text
    }

    /// A comma-separated list such as `A,B`; an empty value is the empty list.
    func list(_ name: String) -> Set<String>? {
        guard let text = raw(name) else { return nil }
        return Set(text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
    }
}
