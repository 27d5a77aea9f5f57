import Foundation
import Testing
@testable import IntakeRules

/// `trimmed` (with its shortcut for text that needs none) equals Foundation's trimming.
struct TextCleanupTests {
    @Test func trimmedEqualsFoundationTrimming() {
        let texts = ["", " ", "TM-1", "  TM-1 ", "\tline\n", "王 芳", " 王 芳\u{3000}", "\u{00A0}x", "x\u{2028}",
                     "a b", "\u{7F}x", "x\r\n", "\u{1680}", "x\u{200A}", "SKU-1\u{000B}"]
        for text in texts {
            #expect(text.trimmed == text.trimmingCharacters(in: .whitespacesAndNewlines), "\(text.debugDescription)")
        }
    }
}
