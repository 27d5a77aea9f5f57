import Foundation
import OrderModel

/// Reads typed settings from environment variables for a department's configuration.
///
/// Every method returns nil when the variable is unset, so a config writes
/// `try reader.seconds("PICK_SECONDS") ?? defaults.pickDuration`. A value that is set but
/// cannot be read throws `ConfigurationError` naming the full variable: a service must not
/// start with a setting it silently ignored. Values are trimmed of surrounding whitespace.
///
/// Names are `prefix + name`; with the default empty prefix, pass full names.
public struct EnvironmentReader: Sendable {
    /// What a variable set to the empty string (or only whitespace) means.
    public enum EmptyValue: Sendable, Hashable {
        /// The same as unset: every method returns nil, so the default applies.
        case meansUnset
        /// A value like any other: `list` gives the empty list, `word`, numbers and
        /// booleans throw.
        case isAValue
    }

    /// The variables, usually `ProcessInfo.processInfo.environment`.
    public let environment: [String: String]
    /// Put in front of every name, e.g. `ORDERFLOW_INTAKE_`.
    public let prefix: String
    /// How a variable set to the empty string is read.
    public let emptyValue: EmptyValue

    public init(environment: [String: String], prefix: String = "", emptyValue: EmptyValue = .meansUnset) {
        self.environment = environment
        self.prefix = prefix
        self.emptyValue = emptyValue
    }

    /// The full variable name for `name`: `prefix + name`.
    public func variable(_ name: String) -> String { prefix + name }

    /// The value, trimmed; nil when unset (and, with `.meansUnset`, when empty).
    public func raw(_ name: String) -> String? {
        guard let value = environment[variable(name)]?.trimmingCharacters(in: .whitespacesAndNewlines) else {
            return nil
        }
        if value.isEmpty, emptyValue == .meansUnset { return nil }
        return value
    }

    /// `true/false`, `yes/no`, `on/off` or `1/0`, in any case.
    public func bool(_ name: String) throws(ConfigurationError) -> Bool? {
        guard let text = raw(name) else { return nil }
        switch text.lowercased() {
        case "1", "true", "yes", "on": return true
        case "0", "false", "no", "off": return false
        default: throw invalid(name, text, expected: "true/false, yes/no, on/off or 1/0")
        }
    }

    /// A non-empty word such as `standard`.
    public func word(_ name: String) throws(ConfigurationError) -> String? {
        guard let text = raw(name) else { return nil }
        guard !text.isEmpty else { throw invalid(name, text, expected: "a non-empty value") }
        return text
    }

    /// A whole number ≥ 0 such as `30`.
    public func nonNegativeInt(_ name: String) throws(ConfigurationError) -> Int? {
        guard let text = raw(name) else { return nil }
        guard let value = Int(text), value >= 0 else { throw invalid(name, text, expected: "a whole number ≥ 0") }
        return value
    }

    /// A whole number > 0 such as `500`.
    public func positiveInt(_ name: String) throws(ConfigurationError) -> Int? {
        guard let text = raw(name) else { return nil }
        guard let value = Int(text), value > 0 else { throw invalid(name, text, expected: "a whole number > 0") }
        return value
    }

    /// A decimal number ≥ 0 such as `500` or `200000.00`, read exactly.
    public func nonNegativeDecimal(_ name: String) throws(ConfigurationError) -> Decimal? {
        guard let text = raw(name) else { return nil }
        guard let value = ExactDecimal.parse(text), value >= 0 else {
            throw invalid(name, text, expected: "a decimal number ≥ 0, e.g. 500 or 0.3")
        }
        return value
    }

    /// A decimal number from 0 to 1 inclusive, such as a rate `0.30` or a probability `0.05`.
    public func fraction(_ name: String) throws(ConfigurationError) -> Decimal? {
        guard let text = raw(name) else { return nil }
        guard let value = ExactDecimal.parse(text), value >= 0, value <= 1 else {
            throw invalid(name, text, expected: "a decimal number from 0 to 1, e.g. 0.05 or 0.30")
        }
        return value
    }

    /// A duration in seconds ≥ 0, fractions allowed (`0.2`, `86400`).
    public func seconds(_ name: String) throws(ConfigurationError) -> TimeInterval? {
        guard let text = raw(name) else { return nil }
        guard let value = ExactDecimal.parse(text), value >= 0 else {
            throw invalid(name, text, expected: "a number of seconds ≥ 0, e.g. 0.2 or 86400")
        }
        return NSDecimalNumber(decimal: value).doubleValue
    }

    /// A duration in seconds > 0, fractions allowed (`7200`, `0.5`).
    public func positiveSeconds(_ name: String) throws(ConfigurationError) -> TimeInterval? {
        guard let text = raw(name) else { return nil }
        guard let value = ExactDecimal.parse(text), value > 0 else {
            throw invalid(name, text, expected: "a number of seconds > 0, e.g. 7200")
        }
        return NSDecimalNumber(decimal: value).doubleValue
    }

    /// A comma-separated list such as `Tibet, Hainan`, items trimmed, empty items dropped,
    /// in the order given. With `.isAValue`, an empty value is the empty list.
    public func list(_ name: String) -> [String]? {
        guard let text = raw(name) else { return nil }
        return text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// A comma-separated list of decimal amounts ≥ 0 such as `100000.00,500000.00`. With
    /// `.isAValue`, an empty value is the empty list.
    public func decimalList(_ name: String) throws(ConfigurationError) -> [Decimal]? {
        guard let text = raw(name) else { return nil }
        var values: [Decimal] = []
        for item in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) {
            guard let value = ExactDecimal.parse(item), value >= 0 else {
                throw invalid(name, text, expected: "comma-separated decimal amounts ≥ 0, e.g. 100000.00,500000.00")
            }
            values.append(value)
        }
        return values
    }

    private func invalid(_ name: String, _ value: String, expected: String) -> ConfigurationError {
        ConfigurationError(variable: variable(name), value: value, expected: expected)
    }
}
