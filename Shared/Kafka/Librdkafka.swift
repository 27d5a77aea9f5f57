import CRdKafka

/// Facts about (and checks of) the librdkafka library loaded at runtime.
public enum Librdkafka {
    /// The minimum supported runtime version: 2.1.0. librdkafka 2.0.x cannot parse the
    /// ApiVersions replies of current brokers.
    public static let minimumVersion: (major: Int, minor: Int) = (2, 1)

    /// The loaded librdkafka version as text, e.g. `"2.16.0"`.
    public static var versionString: String { String(cString: rd_kafka_version_str()) }

    /// The loaded librdkafka version as the hex integer `0xMMmmrrxx`.
    public static var versionNumber: Int32 { rd_kafka_version() }

    /// Whether a librdkafka version integer (format `0xMMmmrrxx`, see `RD_KAFKA_VERSION`)
    /// is new enough (≥ 2.1). Pure function, testable with e.g. `0x020002ff` (2.0.2).
    public static func isSupported(versionNumber: Int32) -> Bool {
        let v = UInt32(bitPattern: versionNumber)
        let major = Int((v >> 24) & 0xff)
        let minor = Int((v >> 16) & 0xff)
        return (major, minor) >= minimumVersion
    }

    /// Renders a version integer as `major.minor.revision`.
    public static func format(versionNumber: Int32) -> String {
        let v = UInt32(bitPattern: versionNumber)
        return "\((v >> 24) & 0xff).\((v >> 16) & 0xff).\((v >> 8) & 0xff)"
    }

    /// Throws `KafkaError(.unsupportedLibrary)` if the given version is older than 2.1.
    public static func check(versionNumber: Int32, versionString: String? = nil) throws {
        guard !isSupported(versionNumber: versionNumber) else { return }
        let loaded = versionString ?? format(versionNumber: versionNumber)
        throw KafkaError(
            .unsupportedLibrary,
            "librdkafka \(loaded) is loaded, but OrderFlow needs librdkafka >= 2.1 "
                + "(2.0.x cannot parse the ApiVersions replies of current brokers). "
                + "Fix: run `scripts/setup.sh` (or `make setup`) and put `.tools/lib` on LD_LIBRARY_PATH, "
                + "or install librdkafka >= 2.1."
        )
    }

    /// Throws `KafkaError(.unsupportedLibrary)` if the librdkafka loaded at runtime is older than 2.1.
    /// Every client initialiser calls this.
    public static func checkRuntimeVersion() throws {
        try check(versionNumber: versionNumber, versionString: versionString)
    }
}
