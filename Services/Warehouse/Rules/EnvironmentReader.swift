import Foundation
import OrderModel

/// Reads typed settings from environment variables: unset or empty → the default,
/// set but unreadable → `WarehouseConfigError` naming the variable.
struct EnvironmentReader {
    let environment: [String: String]

    func raw(_ name: String) -> String? {
        guard let value = environment[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else {
            return nil
        }
        return value
    }

    func bool(_ name: String, default fallback: Bool) throws -> Bool {
        guard let text = raw(name) else { return fallback }
        switch text.lowercased() {
        case "1", "true", "yes", "on": return true
        case "0", "false", "no", "off": return false
        default: throw WarehouseConfigError(variable: name, value: text, expected: "true/false, yes/no, on/off or 1/0")
        }
    }

    /// A duration in seconds (decimals allowed, e.g. `0.2`), not negative.
    func seconds(_ name: String, default fallback: TimeInterval) throws -> TimeInterval {
        guard let text = raw(name) else { return fallback }
        guard let value = ExactDecimal.parse(text), value >= 0 else {
            throw WarehouseConfigError(variable: name, value: text, expected: "a number of seconds ≥ 0, e.g. 0.2 or 86400")
        }
        return NSDecimalNumber(decimal: value).doubleValue
    }

    /// A probability between 0 and 1 inclusive.
    func probability(_ name: String, default fallback: Double) throws -> Double {
        guard let text = raw(name) else { return fallback }
        guard let value = ExactDecimal.parse(text), value >= 0, value <= 1 else {
            throw WarehouseConfigError(variable: name, value: text, expected: "a probability from 0 to 1, e.g. 0.05")
        }
        return NSDecimalNumber(decimal: value).doubleValue
    }
}
