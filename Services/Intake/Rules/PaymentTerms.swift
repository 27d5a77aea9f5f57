import Foundation

/// Reads payment terms such as `NET30` / `net 45` / `NET-60` as a number of days.
enum PaymentTerms {
    /// The days of `terms`, or nil when it is not a `NET<days>` term.
    static func days(_ terms: String?) -> Int? {
        guard let terms else { return nil }
        let upper = terms.trimmingCharacters(in: .whitespaces).uppercased()
        guard upper.hasPrefix("NET") else { return nil }
        let digits = upper.dropFirst(3).drop(while: { $0 == " " || $0 == "-" })
        guard !digits.isEmpty, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber),
              let days = Int(digits), days <= 3650 else { return nil }
        return days
    }
}
