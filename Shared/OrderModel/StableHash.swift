/// A 64-bit FNV-1a hash that is the same in every process and on every run (Swift's
/// `Hasher` is seeded per process): for seeds of simulated outcomes and for ids derived from
/// content. Not cryptographic.
public struct StableHash: Sendable, Hashable {
    /// The hash of what was combined so far.
    public private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    public init() {}

    /// Adds `bytes` to the hash.
    public mutating func combine(_ bytes: some Sequence<UInt8>) {
        for byte in bytes {
            value ^= UInt64(byte)
            value &*= 0x100_0000_01b3
        }
    }

    /// Adds the 8 bytes of `number` (little-endian), e.g. a length that separates two fields.
    public mutating func combine(_ number: UInt64) {
        combine((0..<8).lazy.map { UInt8(truncatingIfNeeded: number >> (8 * $0)) })
    }

    /// The hash of `text`'s UTF-8 bytes.
    public static func of(_ text: String) -> UInt64 {
        var hash = StableHash()
        hash.combine(text.utf8)
        return hash.value
    }
}
