import DepartmentKit
import Foundation
import Kafka
import OrderModel
import ServiceKit
import Testing

@Suite struct ServiceOptionsTests {
    @Test func flagsBeatEnvironmentWhichBeatsDefaults() throws {
        let options = try ServiceOptions.parse([])
        let defaults = try options.resolve(for: .warehouse, environment: [:])
        #expect(defaults.bootstrapServers == "127.0.0.1:9092")
        #expect(defaults.httpPort == 8083 && defaults.groupId == "orderflow-warehouse")
        #expect(defaults.databasePath == "./data/warehouse.sqlite")
        let env = ["ORDERFLOW_BOOTSTRAP_SERVERS": "kafka:9092", "ORDERFLOW_HTTP_PORT": "9000", "ORDERFLOW_KAFKA_OPTIONS": "a=1, b = 2"]
        let fromEnv = try options.resolve(for: .warehouse, environment: env)
        #expect(fromEnv.bootstrapServers == "kafka:9092" && fromEnv.httpPort == 9000 && fromEnv.kafkaOptions == ["a": "1", "b": "2"])
        let flagged = try ServiceOptions.parse(["--http-port", "7000", "--demo-mode"])
        let fromFlags = try flagged.resolve(for: .warehouse, environment: env)
        #expect(fromFlags.httpPort == 7000 && fromFlags.environment["ORDERFLOW_DEMO_MODE"] == "true")
    }

    @Test func badValuesAreRefusedWithTheVariableName() throws {
        let options = try ServiceOptions.parse([])
        #expect(throws: (any Error).self) { try options.resolve(for: .intake, environment: ["ORDERFLOW_HTTP_PORT": "eighty"]) }
        #expect(throws: (any Error).self) { try options.resolve(for: .intake, environment: ["ORDERFLOW_KAFKA_PROFILE": "fast"]) }
        #expect(throws: (any Error).self) { try options.resolve(for: .intake, environment: ["ORDERFLOW_KAFKA_OPTIONS": "novalue"]) }
    }
}

@Suite struct InboxDecoderTests {
    let decoder = InboxDecoder(topics: TopicNames(prefix: "p."))

    func message(_ topic: String, _ value: String?, offset: Int64 = 7) -> KafkaMessage {
        KafkaMessage(topic: topic, partition: 2, offset: offset, key: Array("k".utf8), value: value.map { Array($0.utf8) }, headers: [], timestamp: nil)
    }

    @Test func submissionsBecomeEventsWithAPositionAndContentId() {
        let text = #"{"schemaVersion":1,"channel":"shop","externalOrderId":"X-1","lines":[]}"#
        guard case .event(let event) = decoder.decode(message("p.orders.submitted", text), receivedAt: Date()) else {
            Issue.record("expected an event"); return
        }
        #expect(event.id.hasPrefix("p.orders.submitted/2/7/"))
        // The same position with other bytes (a re-created topic) is another message.
        let other = #"{"schemaVersion":1,"channel":"shop","externalOrderId":"X-2","lines":[]}"#
        guard case .event(let second) = decoder.decode(message("p.orders.submitted", other), receivedAt: Date()) else {
            Issue.record("expected an event"); return
        }
        #expect(second.id.hasPrefix("p.orders.submitted/2/7/") && second.id != event.id)
        #expect(event.correlationId == "shop:X-1")
        #expect((event.payload as? OrderSubmitted)?.submission.externalOrderId == "X-1")
    }

    @Test func unreadableMessagesBecomeDeadLettersWithReasons() {
        func reason(_ item: InboxItem) -> String? { if case .deadLetter(let r) = item { r.code } else { nil } }
        #expect(reason(decoder.decode(message("p.orders.submitted", "{{{"), receivedAt: Date())) == "not_json")
        #expect(reason(decoder.decode(message("p.orders.submitted", #"{"schemaVersion":5,"channel":"a","externalOrderId":"b"}"#), receivedAt: Date())) == "unsupported_schema_version")
        #expect(reason(decoder.decode(message("p.orders.billing", "[]"), receivedAt: Date())) == "invalid_envelope")
        #expect(reason(decoder.decode(message("p.orders.billing", nil), receivedAt: Date())) == "empty_value")
    }
}

@Suite struct MasterDataChangeTests {
    let topics = TopicNames()

    func message(_ topic: Topic, key: String, value: String?) -> KafkaMessage {
        KafkaMessage(topic: topics.name(topic), partition: 0, offset: 1, key: Array(key.utf8), value: value.map { Array($0.utf8) }, headers: [], timestamp: nil)
    }

    @Test func tombstonesDeleteAndRecordsUpsert() throws {
        let product = #"{"schemaVersion":1,"sku":"PUMP-200","name":"Pump","currency":"CNY","listPrice":"1200.00","floorPrice":"1080.00","taxRate":"0.13","leadTimeDays":5,"madeToOrder":false,"active":true}"#
        let state = InMemoryStateStore()
        try MasterDataMaterialiser.change(from: message(.products, key: "PUMP-200", value: product), topics: topics).apply(to: state)
        #expect(try state.product("PUMP-200")?.floorPrice == DecimalString("1080.00"))
        // A null value (tombstone) deletes: the local broker never delivers one, so this is
        // the only place it is exercised.
        let tombstone = MasterDataMaterialiser.change(from: message(.products, key: "PUMP-200", value: nil), topics: topics)
        #expect(tombstone == .deleteProduct("PUMP-200"))
        try tombstone.apply(to: state)
        #expect(try state.product("PUMP-200") == nil)
        #expect(MasterDataMaterialiser.change(from: message(.customers, key: "C-1", value: nil), topics: topics) == .deleteCustomer("C-1"))
    }

    @Test func badRecordsAreIgnoredWithAReason() {
        func isInvalid(_ change: MasterDataMaterialiser.Change) -> Bool { if case .invalid = change { true } else { false } }
        #expect(isInvalid(MasterDataMaterialiser.change(from: message(.products, key: "A", value: "nope"), topics: topics)))
        let wrongKey = #"{"schemaVersion":1,"customerId":"C-2","name":"n","currency":"CNY","creditLimit":"1.00","paymentTermsDays":30,"tier":"A","region":"East","blocked":false}"#
        #expect(isInvalid(MasterDataMaterialiser.change(from: message(.customers, key: "C-1", value: wrongKey), topics: topics)))
        let future = wrongKey.replacingOccurrences(of: #""schemaVersion":1"#, with: #""schemaVersion":9"#).replacingOccurrences(of: "C-2", with: "C-1")
        #expect(isInvalid(MasterDataMaterialiser.change(from: message(.customers, key: "C-1", value: future), topics: topics)))
    }
}

@Suite struct CrashPointTests {
    @Test func armedOnlyByTheEnvironment() {
        #expect(!CrashPoints(environment: [:]).isArmed)
        #expect(CrashPoints(environment: ["ORDERFLOW_CRASH_AT": "after-db-commit:3"]).isArmed)
        #expect(!CrashPoints(environment: ["ORDERFLOW_CRASH_AT": "nowhere:1"]).isArmed)
    }
}

@Suite struct ReadinessTests {
    @Test func waitingForMasterDataEndsWhenCaughtUpOrCancelled() async {
        let readiness = Readiness(needsMasterData: true) { true }
        readiness.markDatabaseOpen()
        #expect(!readiness.isReady)
        let cancelled = Task { await readiness.waitForMasterData(); return Task.isCancelled }
        cancelled.cancel()
        #expect(await cancelled.value, "a cancelled wait returns instead of hanging shutdown")

        let waiting = Task { await readiness.waitForMasterData() }
        try? await Task.sleep(for: .milliseconds(50))
        readiness.markMasterDataCaughtUp()
        await waiting.value
        #expect(readiness.isReady)
        #expect(readiness.checks.map(\.name) == ["database", "masterdata", "consumer", "producer", "outbox"])
    }

    @Test func readinessIncludesTheKafkaClientsAndSaysWhatFails() {
        let all = Readiness.compose(databaseOpen: true, masterDataCaughtUp: true, consumer: .healthy, consumerJoined: true, producer: .healthy)
        #expect(all.map(\.name) == ["database", "masterdata", "consumer", "producer", "outbox"])
        #expect(all.allSatisfy { $0.ok })

        let fatalProducer = Readiness.compose(databaseOpen: true, masterDataCaughtUp: true, consumer: .healthy, consumerJoined: true,
                                              producer: .fatal("broker fenced the producer"))
        #expect(fatalProducer.filter { !$0.ok }.map(\.name) == ["producer"])
        #expect(fatalProducer[3].problem == "fatal error: broker fenced the producer")

        let closedConsumer = Readiness.compose(databaseOpen: true, masterDataCaughtUp: true, consumer: .closed, consumerJoined: true, producer: .healthy)
        #expect(closedConsumer.filter { !$0.ok }.map(\.name) == ["consumer"])
        #expect(closedConsumer[2].problem == "closed")
        // The client's own health comes first: a fatal consumer is reported as fatal, not "not joined".
        let fatalConsumer = Readiness.compose(databaseOpen: true, masterDataCaughtUp: true, consumer: .fatal("x"), consumerJoined: false, producer: .healthy)
        #expect(fatalConsumer[2].problem == "fatal error: x")
        let notJoined = Readiness.compose(databaseOpen: true, masterDataCaughtUp: true, consumer: .healthy, consumerJoined: false, producer: .healthy)
        #expect(notJoined[2].problem == "not joined to its consumer group")
        let holding = Readiness.compose(databaseOpen: true, masterDataCaughtUp: true, consumer: .healthy, consumerJoined: true,
                                        producer: .healthy, holdingInbox: true)
        #expect(holding[2].problem?.contains("another member is in its consumer group") == true, "a held inbox is not ready")
        let heldWithoutPartitions = Readiness.compose(databaseOpen: true, masterDataCaughtUp: true, consumer: .healthy, consumerJoined: false,
                                                      producer: .healthy, holdingInbox: true)
        #expect(heldWithoutPartitions[2].problem == holding[2].problem, "a member given no partition says it holds, too")
        let nothing = Readiness.compose(databaseOpen: false, masterDataCaughtUp: false, consumer: .healthy, consumerJoined: true, producer: .closed)
        #expect(nothing.filter { !$0.ok }.map(\.name) == ["database", "masterdata", "producer"])

        // Wired through the closures a service passes in.
        let readiness = Readiness(needsMasterData: false, consumer: { .healthy }, producer: { .fatal("gone") }) { true }
        readiness.markDatabaseOpen()
        #expect(!readiness.isReady)
        #expect(readiness.failures.map(\.name) == ["producer"])
        let body = Readiness.responseBody(service: "intake", checks: readiness.report)
        #expect(body == #"{"ready":false,"service":"intake","checks":{"database":true,"masterdata":true,"consumer":true,"producer":false,"outbox":true},"failing":{"producer":"fatal error: gone"}}"#)
        let ok = Readiness.responseBody(service: "intake", checks: all)
        #expect(ok == #"{"ready":true,"service":"intake","checks":{"database":true,"masterdata":true,"consumer":true,"producer":true,"outbox":true},"failing":{}}"#)
        #expect(Readiness.responseBody(service: "s", checks: [.init(name: "producer", problem: "say \"no\"\n")]).contains(#""producer":"say \"no\"\n""#))

        // Parked outbox rows fail readiness, saying how many and where to look.
        let parked = Readiness.compose(databaseOpen: true, masterDataCaughtUp: true, consumer: .healthy, consumerJoined: true,
                                       producer: .healthy, parkedRows: 2)
        #expect(parked.filter { !$0.ok }.map(\.name) == ["outbox"])
        #expect(parked[4].problem == "2 outbox rows parked: the broker refuses them for good (GET /parked; orderctl parked)")
    }
}

@Suite struct LogFormatOptionTests {
    @Test func textUnlessJsonIsAsked() throws {
        let options = try ServiceOptions.parse([])
        #expect(try options.resolve(for: .intake, environment: [:]).logFormat == .text)
        #expect(try options.resolve(for: .intake, environment: ["ORDERFLOW_LOG_FORMAT": "json"]).logFormat == .json)
        #expect(try options.resolve(for: .intake, environment: ["ORDERFLOW_LOG_FORMAT": " JSON "]).logFormat == .json)
        #expect(try options.resolve(for: .intake, environment: ["ORDERFLOW_LOG_FORMAT": ""]).logFormat == .text)
        let flagged = try ServiceOptions.parse(["--log-format", "text"])
        #expect(try flagged.resolve(for: .intake, environment: ["ORDERFLOW_LOG_FORMAT": "json"]).logFormat == .text)
    }

    @Test func anUnknownFormatIsRefusedNamingTheVariableAndTheChoices() throws {
        let options = try ServiceOptions.parse([])
        do {
            _ = try options.resolve(for: .intake, environment: ["ORDERFLOW_LOG_FORMAT": "logfmt"])
            Issue.record("logfmt was accepted")
        } catch {
            #expect("\(error)".contains("ORDERFLOW_LOG_FORMAT='logfmt' is not one of text, json"), "\(error)")
        }
    }
}
