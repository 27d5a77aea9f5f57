import Foundation
import OrderModel

/// Reads `ORDERFLOW_REVIEW_<NAME>` variables for `ReviewConfig`: an unset variable gives
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

    private func invalid(_ name: String, _ value: String, expected: String) -> ReviewConfig.InvalidVariable {
        ReviewConfig.InvalidVariable(variable: variable(name), value: value, expected: expected)
    }

    /// A decimal number in `range`, e.g. `0.30`.
    func decimal(_ name: String, in range: ClosedRange<Decimal>) throws(ReviewConfig.InvalidVariable) -> Decimal? {
        guard let text = raw(name) else { return nil }
        guard let value = ExactDecimal.parse(text), range.contains(value) else {
            throw invalid(name, text, expected: "a decimal number from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }

    /// A comma-separated list of decimal amounts ≥ 0 such as `100000.00,500000.00`; an
    /// empty value is the empty list.
    func decimalList(_ name: String) throws(ReviewConfig.InvalidVariable) -> [Decimal]? {
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

    /// A comma-separated list such as `C,D`; an empty value is the empty list.
    func list(_ name: String) -> Set<String>? {
        guard let text = raw(name) else { return nil }
        return Set(text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
    }

    /// A duration in seconds > 0, fractions allowed (`7200`, `0.5`).
    func seconds(_ name: String) throws(ReviewConfig.InvalidVariable) -> TimeInterval? {
        guard let text = raw(name) else { return nil }
        guard let value = ExactDecimal.parse(text), value > 0 else {
            throw invalid(name, text, expected: "a number of seconds > 0, e.g. 7200")
        }
        return NSDecimalNumber(decimal: value).doubleValue
    }
}
