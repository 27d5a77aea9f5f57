import Foundation

/// Channels send padded and empty strings; intake treats blank as missing.
extension String {
    /// Without leading and trailing white space.
    var trimmed: String { trimmingCharacters(in: .whitespacesAndNewlines) }
    /// Nil for the empty string.
    var nonEmpty: String? { isEmpty ? nil : self }
}
