import Foundation
import Logging
@testable import Kafka
import Testing

/// The property lists the clients are created with (pure: no broker).
@Suite("Kafka client properties")
struct KafkaClientPropertiesTests {
    static let servers = "127.0.0.1:9092"
    static let consumerDefaults = KafkaConsumerConfig(client: KafkaClientConfig(bootstrapServers: servers), mode: .group(id: "g"),
                                                      topics: ["t"]).defaultProperties()
    static let adminDefaults = ["log.connection.close": "false"]

    static func properties(_ client: KafkaClientConfig, _ role: ClientRole) -> [String: String] {
        let defaults: [String: String]
        switch role {
        case .producer: defaults = KafkaProducerConfig.defaultProperties
        case .consumer: defaults = consumerDefaults
        case .admin: defaults = adminDefaults
        }
        let list = client.properties(for: role, defaults: defaults)
        #expect(list.map(\.0) == list.map(\.0).sorted(), "sorted by key")
        return Dictionary(uniqueKeysWithValues: list)
    }

    static let profiles: [(String, KafkaClientConfig)] = [
        ("local", .local(bootstrapServers: servers, clientId: "c")),
        ("production", KafkaClientConfig(bootstrapServers: servers, clientId: "c")),
    ]

    @Test func producerKeepsItsInfiniteDeliveryTimeoutInBothProfiles() {
        #expect(KafkaProducerConfig.defaultProperties["message.timeout.ms"] == "0")
        #expect(KafkaClientConfig.localOptions["message.timeout.ms"] == nil)
        for (name, client) in Self.profiles {
            let props = Self.properties(client, .producer)
            #expect(props["message.timeout.ms"] == "0", "\(name)")
            #expect(props["enable.idempotence"] == "true" && props["acks"] == "all", "\(name)")
            #expect(props["allow.auto.create.topics"] == "false", "\(name)")
            #expect(props["bootstrap.servers"] == Self.servers && props["client.id"] == "c", "\(name)")
            #expect(props["session.timeout.ms"] == nil && props["fetch.wait.max.ms"] == nil && props["group.id"] == nil,
                    "no consumer properties for a producer (\(name))")
        }
        let local = Self.properties(Self.profiles[0].1, .producer)
        #expect(local["linger.ms"] == "1" && local["reconnect.backoff.ms"] == "20")
        let production = Self.properties(Self.profiles[1].1, .producer)
        #expect(production["linger.ms"] == nil && production["reconnect.backoff.ms"] == nil)
    }

    @Test func producerPropertiesAreExactlyTheLayers() {
        let local = Self.properties(Self.profiles[0].1, .producer)
        #expect(local == [
            "bootstrap.servers": Self.servers, "client.id": "c",
            "linger.ms": "1", "topic.metadata.refresh.interval.ms": "2000", "reconnect.backoff.ms": "20", "reconnect.backoff.max.ms": "500",
            "enable.idempotence": "true", "acks": "all", "allow.auto.create.topics": "false", "message.timeout.ms": "0",
            "log.connection.close": "false",
        ])
        let production = Self.properties(Self.profiles[1].1, .producer)
        #expect(production == KafkaProducerConfig.defaultProperties.merging(["bootstrap.servers": Self.servers, "client.id": "c"]) { a, _ in a })
    }

    @Test func consumerGetsTheProfileButNoProducerProperties() {
        let local = Self.properties(Self.profiles[0].1, .consumer)
        #expect(local["session.timeout.ms"] == "6000" && local["heartbeat.interval.ms"] == "500")
        #expect(local["fetch.wait.max.ms"] == "10" && local["fetch.error.backoff.ms"] == "10")
        #expect(local["reconnect.backoff.ms"] == "20")
        let production = Self.properties(Self.profiles[1].1, .consumer)
        #expect(production["session.timeout.ms"] == nil && production["fetch.wait.max.ms"] == nil)
        for props in [local, production] {
            #expect(props["enable.auto.commit"] == "false" && props["auto.offset.reset"] == "earliest" && props["group.id"] == "g")
            #expect(props["message.timeout.ms"] == nil && props["linger.ms"] == nil && props["enable.idempotence"] == nil)
        }
    }

    @Test func adminGetsOnlyCommonProperties() {
        let local = Self.properties(Self.profiles[0].1, .admin)
        #expect(local == [
            "bootstrap.servers": Self.servers, "client.id": "c", "log.connection.close": "false",
            "topic.metadata.refresh.interval.ms": "2000", "reconnect.backoff.ms": "20", "reconnect.backoff.max.ms": "500",
        ])
        let production = Self.properties(Self.profiles[1].1, .admin)
        #expect(production == ["bootstrap.servers": Self.servers, "client.id": "c", "log.connection.close": "false"])
    }

    @Test func userOptionsStillWinOverDefaultsAndProfile() {
        let options = ["message.timeout.ms": "5000", "linger.ms": "7", "session.timeout.ms": "9000", "acks": "1",
                       "security.protocol": "sasl_ssl", "request.timeout.ms": "4000", "client.id": "mine"]
        for client in [KafkaClientConfig.local(bootstrapServers: Self.servers, clientId: "c", options: options),
                       KafkaClientConfig(bootstrapServers: Self.servers, clientId: "c", options: options)] {
            let producer = Self.properties(client, .producer)
            #expect(producer["message.timeout.ms"] == "5000" && producer["linger.ms"] == "7" && producer["acks"] == "1")
            #expect(producer["security.protocol"] == "sasl_ssl" && producer["client.id"] == "mine")
            #expect(producer["session.timeout.ms"] == nil)
            let consumer = Self.properties(client, .consumer)
            #expect(consumer["session.timeout.ms"] == "9000" && consumer["security.protocol"] == "sasl_ssl")
            #expect(consumer["message.timeout.ms"] == nil && consumer["linger.ms"] == nil)
            let admin = Self.properties(client, .admin)
            #expect(admin["security.protocol"] == "sasl_ssl" && admin["request.timeout.ms"] == "4000")
            #expect(admin["message.timeout.ms"] == nil && admin["session.timeout.ms"] == nil)
        }
        // A user's option also beats a profile option of the same key.
        var tuned = KafkaClientConfig.local(bootstrapServers: Self.servers, options: ["fetch.wait.max.ms": "50"])
        tuned.profileOptions["fetch.wait.max.ms"] = "250"
        #expect(Self.properties(tuned, .consumer)["fetch.wait.max.ms"] == "50")
    }
}

@Suite("Secrets are redacted")
struct RedactionTests {
    @Test func sensitiveKeys() {
        for key in ["sasl.password", "SASL.PASSWORD", "sasl.username", "sasl.mechanisms", "sasl.jaas.config", "Sasl.Kerberos.Keytab",
                    "ssl.key.password", "ssl.keystore.password", "sasl.oauthbearer.client.secret", "my.Secret.thing", "ssl.key.pem"] {
            #expect(KafkaClientConfig.isSensitive(key: key), "\(key)")
            #expect(KafkaClientConfig.redacted(key: key, value: "hunter2") == "[redacted]")
        }
        for key in ["bootstrap.servers", "security.protocol", "ssl.ca.location", "client.id", "linger.ms", "basal.rate"] {
            #expect(!KafkaClientConfig.isSensitive(key: key), "\(key)")
            #expect(KafkaClientConfig.redacted(key: key, value: "v1") == "v1")
        }
    }

    @Test func descriptionsNeverShowSecrets() {
        let options = ["sasl.password": "hunter2", "sasl.username": "alice", "security.protocol": "sasl_ssl", "ssl.key.password": "pw9"]
        let text = "\(RedactedProperties(options))"
        #expect(text == "sasl.password=[redacted], sasl.username=[redacted], security.protocol=sasl_ssl, ssl.key.password=[redacted]")
        let client = KafkaClientConfig.local(bootstrapServers: "b:9092", options: options)
        for secret in ["hunter2", "alice", "pw9"] {
            #expect(!"\(client)".contains(secret))
            #expect(!String(reflecting: client).contains(secret))
        }
        #expect("\(client)".contains("security.protocol=sasl_ssl") && "\(client)".contains("linger.ms=1"))
    }

    @Test func scrubReplacesEverySecretInText() {
        let secrets = KafkaClientConfig.secrets(in: ["sasl.password": "abc", "sasl.username": "abcdef", "linger.ms": "5", "sasl.x": ""])
        #expect(Set(secrets) == ["abc", "abcdef"])
        #expect(KafkaClientConfig.scrub("user abcdef pw abc linger 5", secrets: secrets) == "user [redacted] pw [redacted] linger 5")
        let context = ClientContext(logger: Logger(label: "test"), role: .producer)
        #expect(context.scrub("abc") == "abc")
        context.secrets = secrets
        #expect(context.scrub("failed for abc") == "failed for [redacted]")
    }

    @Test func rejectedSecretPropertyIsNotEchoed() throws {
        // Unknown property: librdkafka rejects it when the producer is created (no broker needed).
        let unknown = KafkaClientConfig(bootstrapServers: "127.0.0.1:1", options: ["sasl.password.x": "topsecret"])
        let error = try #require(#expect(throws: KafkaError.self) { try KafkaProducer(client: unknown) })
        #expect(error.code == .configuration)
        #expect("\(error)".contains("sasl.password.x"), "\(error)")
        #expect(!"\(error)".contains("topsecret"), "\(error)")
        #expect(!error.message.contains("topsecret"))

        // Known property, bad value: librdkafka's own text quotes the value.
        let badValue = KafkaClientConfig(bootstrapServers: "127.0.0.1:1", options: ["sasl.kerberos.min.time.before.relogin": "topsecret"])
        let valueError = try #require(#expect(throws: KafkaError.self) { try KafkaConsumer(client: badValue, mode: .assignAll, topics: ["t"]) })
        #expect("\(valueError)".contains("sasl.kerberos.min.time.before.relogin"), "\(valueError)")
        #expect(!"\(valueError)".contains("topsecret"), "\(valueError)")

        // Rejected only when the handle is created (rd_kafka_new).
        let mechanism = KafkaClientConfig(bootstrapServers: "127.0.0.1:1",
                                          options: ["security.protocol": "sasl_plaintext", "sasl.mechanisms": "topsecret"])
        let newError = try #require(#expect(throws: KafkaError.self) { try KafkaAdmin(client: mechanism) })
        #expect(newError.code == .configuration)
        #expect(!"\(newError)".contains("topsecret"), "\(newError)")

        // A value that is not secret stays in the message (it helps to fix it).
        let plain = KafkaClientConfig(bootstrapServers: "127.0.0.1:1", options: ["linger.ms": "soon"])
        let plainError = try #require(#expect(throws: KafkaError.self) { try KafkaProducer(client: plain) })
        #expect("\(plainError)".contains("linger.ms=soon"), "\(plainError)")
    }
}
