import Foundation

/// Connection settings shared by producer, consumer and admin clients.
///
/// A client's final librdkafka property list is built in four layers, each overriding the
/// one before (see `properties(for:defaults:)`):
/// 1. `bootstrap.servers` and `client.id`;
/// 2. `profileOptions`: the tuning of a profile such as `local(bootstrapServers:)`;
/// 3. the client's own defaults (e.g. `KafkaProducerConfig.defaultProperties`): deliberate
///    choices of the client (idempotence, no delivery timeout …), which a profile must not undo;
/// 4. `options`: raw librdkafka properties given by the user (see librdkafka's
///    CONFIGURATION.md). They win over everything, on purpose.
///
/// Properties of the wrong role (consumer-only settings for a producer and so on) are left
/// out. Values of sensitive properties never appear in descriptions, logs or errors (see
/// `isSensitive(key:)`).
public struct KafkaClientConfig: Sendable, CustomStringConvertible {
    /// Comma-separated `host:port` list of brokers.
    public var bootstrapServers: String
    /// `client.id` reported to the brokers.
    public var clientId: String
    /// Raw librdkafka properties from the user; these win over the clients' defaults.
    public var options: [String: String]
    /// Profile tuning; the clients' own defaults win over these (and `options` over both).
    public var profileOptions: [String: String]

    /// Creates a configuration (no profile tuning: librdkafka's and the clients' defaults).
    public init(bootstrapServers: String, clientId: String = "orderflow", options: [String: String] = [:],
                profileOptions: [String: String] = [:]) {
        self.bootstrapServers = bootstrapServers
        self.clientId = clientId
        self.options = options
        self.profileOptions = profileOptions
    }

    /// Settings for a local single-broker setup (development and tests): fast group joins
    /// (`session.timeout.ms=6000`, `heartbeat.interval.ms=500`), short fetch waits
    /// (`fetch.wait.max.ms=10`, needed because Tansu holds every fetch for the full wait),
    /// low linger (`linger.ms=1`; librdkafka's default batching otherwise) and quick metadata
    /// refresh / reconnects. These are `profileOptions`: the clients' own defaults (such as
    /// the producer's `message.timeout.ms=0`) win over them; `options` win over both.
    public static func local(
        bootstrapServers: String, clientId: String = "orderflow", options: [String: String] = [:]
    ) -> KafkaClientConfig {
        KafkaClientConfig(bootstrapServers: bootstrapServers, clientId: clientId, options: options, profileOptions: localOptions)
    }

    /// The profile options `local(bootstrapServers:)` sets.
    ///
    /// No `message.timeout.ms` here: the producer's own choice (no delivery timeout, see
    /// `KafkaProducerConfig.defaultProperties`) keeps an order's status events in causal
    /// order after a broker outage; a profile timeout would bring back re-sends after later
    /// messages.
    public static let localOptions: [String: String] = [
        "session.timeout.ms": "6000",
        "heartbeat.interval.ms": "500",
        "fetch.wait.max.ms": "10",
        "fetch.error.backoff.ms": "10",
        // 1 ms rather than librdkafka's default 5 ms: senders await delivery (the outbox
        // publisher awaits each wave: status events, then the rest), so linger adds to the
        // latency of every wave, while a wave's messages are enqueued together and batched
        // anyway. Batching is otherwise librdkafka's default. (Tansu can make a live
        // consumer skip records while several producers append, with or without one record
        // per batch: KafkaConsumer's offset-gap guard re-fetches them.)
        "linger.ms": "1",
        "topic.metadata.refresh.interval.ms": "2000",
        "reconnect.backoff.ms": "20",
        "reconnect.backoff.max.ms": "500",
    ]

    /// Servers, client id and both option layers, with sensitive values redacted.
    public var description: String {
        "KafkaClientConfig(bootstrapServers: \(bootstrapServers), clientId: \(clientId), "
            + "profileOptions: \(RedactedProperties(profileOptions)), options: \(RedactedProperties(options)))"
    }
}

/// Which kind of librdkafka client a property set is for.
enum ClientRole: String, Sendable {
    case producer, consumer, admin
}

extension KafkaClientConfig {
    /// Properties only meaningful to consumers (dropped for producers/admin so librdkafka
    /// does not log "is a consumer property and will be ignored" warnings).
    static let consumerOnly: Set<String> = [
        "session.timeout.ms", "heartbeat.interval.ms", "fetch.wait.max.ms", "fetch.error.backoff.ms",
        "auto.offset.reset", "enable.auto.commit", "enable.auto.offset.store", "group.id",
        "partition.assignment.strategy", "max.poll.interval.ms", "fetch.min.bytes", "fetch.max.bytes",
        "auto.commit.interval.ms", "enable.partition.eof", "group.instance.id", "isolation.level",
        "queued.min.messages", "queued.max.messages.kbytes", "check.crcs", "group.protocol.type",
        "coordinator.query.interval.ms", "consume.callback.max.messages", "fetch.queue.backoff.ms",
    ]
    /// Properties only meaningful to producers.
    static let producerOnly: Set<String> = [
        "enable.idempotence", "acks", "request.required.acks", "linger.ms", "queue.buffering.max.ms",
        "queue.buffering.max.messages", "queue.buffering.max.kbytes", "batch.num.messages", "batch.size",
        "message.timeout.ms", "delivery.timeout.ms", "retries", "message.send.max.retries",
        "compression.type", "compression.codec", "partitioner", "transactional.id",
        "enable.gapless.guarantee", "max.in.flight.requests.per.connection", "max.in.flight",
        "retry.backoff.ms", "sticky.partitioning.linger.ms", "request.timeout.ms",
    ]

    /// Whether `key` is dropped for `role` (obviously foreign to it).
    static func isForeign(_ key: String, to role: ClientRole) -> Bool {
        switch role {
        case .consumer: return producerOnly.contains(key)
        case .producer: return consumerOnly.contains(key)
        case .admin: return consumerOnly.contains(key) || (producerOnly.contains(key) && key != "request.timeout.ms")
        }
    }

    /// Final librdkafka property list for a client role: base settings, then
    /// `profileOptions`, then the role's `defaults`, then the user's `options` (the option
    /// layers filtered to the role where obviously foreign), sorted by key.
    func properties(for role: ClientRole, defaults: [String: String]) -> [(String, String)] {
        var props: [String: String] = [
            "bootstrap.servers": bootstrapServers,
            "client.id": clientId,
        ]
        for (key, value) in profileOptions where !Self.isForeign(key, to: role) { props[key] = value }
        props.merge(defaults) { _, new in new }
        for (key, value) in options where !Self.isForeign(key, to: role) { props[key] = value }
        return props.sorted { $0.key < $1.key }
    }
}

// MARK: - Redaction

extension KafkaClientConfig {
    /// What is printed instead of a sensitive value.
    public static let redactionMarker = "[redacted]"

    /// Whether the value of property `key` is a secret: keys containing `password` or
    /// `secret`, every `sasl.*` key, and `ssl.key.pem` (a private key), case-insensitively.
    public static func isSensitive(key: String) -> Bool {
        let key = key.lowercased()
        return key.contains("password") || key.contains("secret") || key.hasPrefix("sasl.") || key == "ssl.key.pem"
    }

    /// `value`, or `redactionMarker` if `key` is sensitive: use it wherever a property's
    /// value is put into a log line or an error message.
    public static func redacted(key: String, value: String) -> String {
        isSensitive(key: key) ? redactionMarker : value
    }

    /// The values of the sensitive properties in `properties` (non-empty ones).
    static func secrets<S: Sequence>(in properties: S) -> [String] where S.Element == (key: String, value: String) {
        properties.filter { isSensitive(key: $0.key) && !$0.value.isEmpty }.map(\.value)
    }

    /// `text` with every occurrence of each of `secrets` replaced by `redactionMarker`
    /// (for text from librdkafka, which may quote a rejected value).
    static func scrub(_ text: String, secrets: [String]) -> String {
        var text = text
        // Longest first, so that a secret containing another is replaced whole.
        for secret in secrets.sorted(by: { $0.count > $1.count }) where !secret.isEmpty {
            text = text.replacingOccurrences(of: secret, with: redactionMarker)
        }
        return text
    }
}

/// A property list for printing: `key=value, …` sorted by key, with the values of
/// sensitive keys (`KafkaClientConfig.isSensitive(key:)`) replaced by `[redacted]`.
public struct RedactedProperties: CustomStringConvertible, Sendable {
    public let properties: [String: String]

    public init(_ properties: [String: String]) { self.properties = properties }

    public var description: String {
        properties.sorted { $0.key < $1.key }
            .map { "\($0.key)=\(KafkaClientConfig.redacted(key: $0.key, value: $0.value))" }
            .joined(separator: ", ")
    }
}
