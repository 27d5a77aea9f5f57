import ArgumentParser

/// How a service writes its log lines to standard error: `text` (swift-log's stream
/// handler, for people at a terminal; the default, and what `make run` uses) or `json`
/// (one JSON object per line, for log collectors; what the containers use).
public enum LogFormat: String, Sendable, Hashable, CaseIterable, ExpressibleByArgument {
    case text, json

    /// The allowed values, for error messages and `--help`: `text, json`.
    public static var allowedValues: String { allCases.map(\.rawValue).joined(separator: ", ") }
}
