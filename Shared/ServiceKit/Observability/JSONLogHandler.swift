import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Logging
import OrderModel
import Synchronization

/// A swift-log handler that writes each record as one JSON object on one line, for log
/// collectors (`ORDERFLOW_LOG_FORMAT=json`):
///
///     {"time":"2026-11-23T09:15:02.123Z","level":"info","service":"intake","logger":"orderflow.intake","message":"starting","kafka.group":"orderflow-intake"}
///
/// `time` is RFC 3339 in UTC with milliseconds; then `level`, `service`, `logger` (the
/// label) and `message`, then the metadata (the logger's, its provider's, then the call's,
/// later ones winning) flattened to string values in key order, and `error` when the call
/// passed one. A metadata key that is one of the fixed fields is written as
/// `metadata.<key>` (unless it only repeats the same value, as `service` does), so a
/// fixed field always means the same thing. Strings are escaped by OrderModel's JSON
/// encoder (`OrderFlowJSON.encode`): quotes, backslashes and control characters such as
/// newlines are escaped, so a record never spans two lines.
public struct JSONLogHandler: LogHandler {
    /// The names written before the metadata, in order.
    public static let fixedFields = ["time", "level", "service", "logger", "message"]

    public let label: String
    public let service: String
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let output: LogLineOutput

    /// - Parameters:
    ///   - service: the `service` field of every line (the process's department).
    ///   - output: where complete lines go; standard error unless a test collects them.
    public init(label: String, service: String, level: Logger.Level = .info,
                metadataProvider: Logger.MetadataProvider? = nil, output: LogLineOutput = .standardError) {
        self.label = label
        self.service = service
        self.logLevel = level
        self.metadataProvider = metadataProvider
        self.output = output
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        output.write(line(for: event, at: Date()))
    }

    /// The bytes of the line for `event` at `time`, with its final newline.
    func line(for event: LogEvent, at time: Date) -> [UInt8] {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let explicit = event.metadata { merged.merge(explicit) { _, new in new } }
        let fixed = [Timestamp.format(time), event.level.rawValue, service, label, "\(event.message)"]
        var fields = Array(zip(Self.fixedFields, fixed))
        for (key, value) in merged.sorted(by: { $0.key < $1.key }) {
            let text = "\(value)"
            if let index = Self.fixedFields.firstIndex(of: key) {
                if fixed[index] != text { fields.append(("metadata.\(key)", text)) }
            } else {
                fields.append((key, text))
            }
        }
        if let error = event.error { fields.append((merged["error"] == nil ? "error" : "error.thrown", "\(error)")) }

        var bytes: [UInt8] = [UInt8(ascii: "{")]
        bytes.reserveCapacity(256)
        for (index, (key, value)) in fields.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            bytes += Self.quoted(key)
            bytes.append(UInt8(ascii: ":"))
            bytes += Self.quoted(value)
        }
        bytes += [UInt8(ascii: "}"), UInt8(ascii: "\n")]
        return bytes
    }

    /// `text` as a JSON string literal, quotes included: OrderModel's escaping, which
    /// cannot fail for a string.
    private static func quoted(_ text: String) -> [UInt8] {
        guard let data = try? OrderFlowJSON.encode(text) else { return Array(#""""#.utf8) }
        return Array(data)
    }
}

/// Where `JSONLogHandler` writes its lines. Each line is written whole, under one lock, so
/// lines logged at the same time from different threads never interleave.
public final class LogLineOutput: Sendable {
    private let lock = Mutex(())
    private let sink: @Sendable ([UInt8]) -> Void

    /// `sink` receives complete lines, one call each, never two at once.
    public init(_ sink: @escaping @Sendable ([UInt8]) -> Void) {
        self.sink = sink
    }

    /// Writes `line` (already ending in a newline) in one piece.
    public func write(_ line: [UInt8]) {
        lock.withLock { _ in sink(line) }
    }

    /// The process's standard error, unbuffered so a crash loses no line.
    public static let standardError = LogLineOutput(writeToStandardError)
}

/// Writes all of `bytes` to file descriptor 2 with `write(2)`, retrying when interrupted.
private func writeToStandardError(_ bytes: [UInt8]) {
    bytes.withUnsafeBytes { buffer in
        var offset = 0
        while offset < buffer.count {
            #if canImport(Glibc)
            let written = Glibc.write(STDERR_FILENO, buffer.baseAddress! + offset, buffer.count - offset)
            #else
            let written = Darwin.write(STDERR_FILENO, buffer.baseAddress! + offset, buffer.count - offset)
            #endif
            if written > 0 {
                offset += written
            } else if written < 0, errno == EINTR {
                continue
            } else {
                return   // Standard error is gone: there is nowhere left to say so.
            }
        }
    }
}
