import ArgumentParser
import Foundation
import Kafka

/// How the Kafka clients of a process are tuned: the profile and the user's extra librdkafka
/// properties. The services (`ServiceOptions`) and `orderctl` read them with this one piece
/// of code, so both reach the same (e.g. SASL/TLS) cluster the same way.
///
/// Sources, each overriding the one before:
/// 1. `ORDERFLOW_KAFKA_OPTIONS_FILE` (or `--kafka-options-file`): one `key=value` per line,
///    blank lines and lines starting with `#` ignored; the value is everything after the
///    first `=` (it may contain `,` and `=`), with surrounding whitespace trimmed;
/// 2. `ORDERFLOW_KAFKA_OPTIONS` (or `--kafka-options`): `key=value,key=value`, split on
///    every comma; the value is everything after an entry's first `=`. A value that
///    contains a comma cannot be written here: it belongs in the file.
///
/// A flag replaces its variable. Error messages name the variable or file, the entry or
/// line number and at most a property name, never a value.
public struct KafkaSettings: Sendable, Hashable {
    public var profile: KafkaProfile
    /// Extra librdkafka properties (`KafkaClientConfig.options`): they win over everything.
    public var options: [String: String]

    public init(profile: KafkaProfile = .local, options: [String: String] = [:]) {
        self.profile = profile
        self.options = options
    }

    /// Resolves flags (when given), then `ORDERFLOW_KAFKA_PROFILE`, `ORDERFLOW_KAFKA_OPTIONS`
    /// and `ORDERFLOW_KAFKA_OPTIONS_FILE` from `environment`, then defaults (`local`, no options).
    public static func resolve(profile profileFlag: KafkaProfile? = nil, options optionsFlag: String? = nil,
                               optionsFile fileFlag: String? = nil,
                               environment: [String: String] = ProcessInfo.processInfo.environment) throws -> KafkaSettings {
        func env(_ name: String) -> String? {
            guard let value = environment[name], !value.isEmpty else { return nil }
            return value
        }
        let profileText = profileFlag?.rawValue ?? env("ORDERFLOW_KAFKA_PROFILE") ?? KafkaProfile.local.rawValue
        guard let profile = KafkaProfile(rawValue: profileText) else {
            throw ValidationError("ORDERFLOW_KAFKA_PROFILE='\(profileText)' is not one of local, production")
        }
        var options: [String: String] = [:]
        if let path = fileFlag ?? env("ORDERFLOW_KAFKA_OPTIONS_FILE") {
            options = try readOptionsFile(path)
        }
        let list = try parseOptionList(optionsFlag ?? env("ORDERFLOW_KAFKA_OPTIONS") ?? "")
        options.merge(list) { _, fromVariable in fromVariable }
        return KafkaSettings(profile: profile, options: options)
    }

    /// The client configuration for this profile: `local` adds `KafkaClientConfig.localOptions`
    /// as profile options, `production` none (librdkafka's defaults); `options` are applied last.
    public func clientConfig(bootstrapServers: String, clientId: String) -> KafkaClientConfig {
        switch profile {
        case .local: return .local(bootstrapServers: bootstrapServers, clientId: clientId, options: options)
        case .production: return KafkaClientConfig(bootstrapServers: bootstrapServers, clientId: clientId, options: options)
        }
    }

    /// Parses `key=value,key=value` (`ORDERFLOW_KAFKA_OPTIONS`): split on every comma, empty
    /// entries skipped, each entry split at its first `=`, whitespace around keys and values
    /// trimmed; a later entry wins over an earlier one with the same key.
    public static func parseOptionList(_ text: String, source: String = "ORDERFLOW_KAFKA_OPTIONS") throws -> [String: String] {
        var options: [String: String] = [:]
        var number = 0
        for entry in text.split(separator: ",", omittingEmptySubsequences: false) {
            number += 1
            guard !entry.trimmingCharacters(in: .whitespaces).isEmpty else { continue }
            guard let (key, value) = keyValue(entry) else {
                // Never the entry itself: it may be (part of) a secret.
                throw ValidationError("\(source): entry \(number) is not key=value (the list is split on every comma; "
                    + "a value containing a comma belongs in ORDERFLOW_KAFKA_OPTIONS_FILE)")
            }
            options[key] = value
        }
        return options
    }

    /// Parses the text of an options file (`ORDERFLOW_KAFKA_OPTIONS_FILE`): one `key=value`
    /// per line, blank lines and `#` comment lines ignored; a later line wins.
    public static func parseOptionsFile(_ text: String, path: String) throws -> [String: String] {
        var options: [String: String] = [:]
        for (index, line) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            guard let (key, value) = keyValue(Substring(trimmed)) else {
                throw ValidationError("ORDERFLOW_KAFKA_OPTIONS_FILE \(path) line \(index + 1) is not key=value "
                    + "(a librdkafka property name, '=', then the value)")
            }
            options[key] = value
        }
        return options
    }

    /// Reads and parses an options file.
    public static func readOptionsFile(_ path: String) throws -> [String: String] {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ValidationError("ORDERFLOW_KAFKA_OPTIONS_FILE \(path) cannot be read")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ValidationError("ORDERFLOW_KAFKA_OPTIONS_FILE \(path) is not UTF-8 text")
        }
        return try parseOptionsFile(text, path: path)
    }

    /// `key=value` split at the first `=`, or nil when there is no `=` or the key is not a
    /// property name (letters, digits, `.`, `_`, `-`).
    private static func keyValue(_ entry: Substring) -> (String, String)? {
        guard let equals = entry.firstIndex(of: "=") else { return nil }
        let key = entry[..<equals].trimmingCharacters(in: .whitespaces)
        let value = entry[entry.index(after: equals)...].trimmingCharacters(in: .whitespaces)
        guard !key.isEmpty, key.unicodeScalars.allSatisfy({ isPropertyNameCharacter($0) }) else { return nil }
        return (key, value)
    }

    private static func isPropertyNameCharacter(_ c: Unicode.Scalar) -> Bool {
        c.isASCII && (("a"..."z").contains(c) || ("A"..."Z").contains(c) || ("0"..."9").contains(c) || c == "." || c == "_" || c == "-")
    }
}
