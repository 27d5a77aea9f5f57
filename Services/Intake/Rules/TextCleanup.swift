import Foundation

/// Channels send padded and empty strings; intake treats blank as missing.
extension String {
    /// Without leading and trailing white space (Foundation's `.whitespacesAndNewlines`).
    var trimmed: String {
        // Most fields start and end with a visible ASCII character: nothing to trim, and
        // no trip through Foundation's character sets (a hot path of every submission).
        if let first = utf8.first, let last = utf8.last, Self.isVisibleASCII(first), Self.isVisibleASCII(last) {
            return self
        }
        return trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Nil for the empty string.
    var nonEmpty: String? { isEmpty ? nil : self }

    private static func isVisibleASCII(_ byte: UInt8) -> Bool { byte > 0x20 && byte < 0x7F }
}
