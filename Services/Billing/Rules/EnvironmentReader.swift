import Foundation
import OrderModel

/// Reads typed settings from environment variables: unset or empty → the default,
/// set but unreadable → `BillingConfigError` naming the variable.
struct EnvironmentReader {
    let environment: [String: String]

    func raw(_ name: String) -> String? {
        guard let value = environment[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else {
            return nil
        }
        return value
    }

    func nonNegativeInt(_ name: String, default fallback: Int) throws -> Int {
        guard let text = raw(name) else { return fallback }
        guard let value = Int(text), value >= 0 else {
            throw BillingConfigError(variable: name, value: text, expected: "a whole number ≥ 0")
        }
        return value
    }

    func nonNegativeDecimal(_ name: String, default fallback: Decimal) throws -> Decimal {
        guard let text = raw(name) else { return fallback }
        guard let value = ExactDecimal.parse(text), value >= 0 else {
            throw BillingConfigError(variable: name, value: text, expected: "a decimal number ≥ 0, e.g. 500 or 0.3")
        }
        return value
    }

    func seconds(_ name: String, default fallback: TimeInterval) throws -> TimeInterval {
        guard raw(name) != nil else { return fallback }
        let value = try nonNegativeDecimal(name, default: 0)
        return NSDecimalNumber(decimal: value).doubleValue
    }
}
