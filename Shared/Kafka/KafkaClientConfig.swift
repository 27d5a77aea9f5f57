/// Connection settings shared by producer, consumer and admin clients.
///
/// `options` are raw librdkafka properties
/// (see librdkafka's CONFIGURATION.md); they override every default the clients set.
public struct KafkaClientConfig: Sendable {
    /// Comma-separated `host:port` list of brokers.
    public var bootstrapServers: String
    /// `client.id` reported to the brokers.
    public var clientId: String
    /// Raw librdkafka properties; these win over the clients' defaults.
    public var options: [String: String]

    /// Creates a configuration.
    public init(bootstrapServers: String, clientId: String = "orderflow", options: [String: String] = [:]) {
        self.bootstrapServers = bootstrapServers
        self.clientId = clientId
        self.options = options
    }

    /// Settings for a local single-broker setup (development and tests): fast group joins
    /// (`session.timeout.ms=6000`, `heartbeat.interval.ms=500`), short fetch waits
    /// (`fetch.wait.max.ms=10`, needed because Tansu holds every fetch for the full wait),
    /// low linger (`linger.ms=1`; librdkafka's default batching otherwise), 30 s delivery
    /// timeout and quick metadata refresh / reconnects.
    public static func local(
        bootstrapServers: String, clientId: String = "orderflow", options: [String: String] = [:]
    ) -> KafkaClientConfig {
        var merged = localOptions
        merged.merge(options) { _, new in new }
        return KafkaClientConfig(bootstrapServers: bootstrapServers, clientId: clientId, options: merged)
    }

    /// The options `local(bootstrapServers:)` sets.
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
        "message.timeout.ms": "30000",
        "topic.metadata.refresh.interval.ms": "2000",
        "reconnect.backoff.ms": "20",
        "reconnect.backoff.max.ms": "500",
    ]
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

    /// Final librdkafka property list for a client role: base settings, then role
    /// defaults, then the user's `options` (filtered to the role where obviously foreign).
    func properties(for role: ClientRole, defaults: [String: String]) -> [(String, String)] {
        var props: [String: String] = [
            "bootstrap.servers": bootstrapServers,
            "client.id": clientId,
        ]
        props.merge(defaults) { _, new in new }
        for (key, value) in options {
            let foreign: Bool
            switch role {
            case .consumer: foreign = KafkaClientConfig.producerOnly.contains(key)
            case .producer: foreign = KafkaClientConfig.consumerOnly.contains(key)
            case .admin:
                foreign = KafkaClientConfig.consumerOnly.contains(key)
                    || (KafkaClientConfig.producerOnly.contains(key) && key != "request.timeout.ms")
            }
            if !foreign { props[key] = value }
        }
        return props.sorted { $0.key < $1.key }
    }
}
