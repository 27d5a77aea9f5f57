import DemoKit
import Foundation
import Kafka
import OrderModel
import Testing

/// 5,000 broken submissions and envelopes (`InputFuzzer`, seeded) through the real broker
/// and services: no service dies, every input has exactly one visible outcome — a
/// rejection with reason codes on `orders.status` or a dead letter with a reason — and a
/// valid order sent after them completes. `ORDERFLOW_FUZZ_SEED` repeats another run.
@Suite(.serialized) struct FuzzedInputTests {
    static let submissionCount = 3_000
    static let envelopeCountPerTopic = 1_000

    /// Where an input landed, as the outcomes name it: `topic/partition/offset`.
    struct Position: Hashable, CustomStringConvertible {
        var topic: String
        var partition: Int32
        var offset: Int64
        var description: String { "\(topic)/\(partition)/\(offset)" }
    }

    enum Outcome: CustomStringConvertible {
        case deadLetter(service: String, reason: String, detail: String)
        case status(OrderStatus, reasons: [Reason])
        var description: String {
            switch self {
            case .deadLetter(let service, let reason, let detail): "dead letter by \(service): \(reason) (\(detail.prefix(120)))"
            case .status(let status, let reasons): "\(status.rawValue) \(reasons.map(\.code))"
            }
        }
    }

    @Test func fiveThousandBrokenInputsAreEachRejectedOrDeadLetteredOnceAndTheNextOrderCompletes() async throws {
        let seed = ProcessInfo.processInfo.environment["ORDERFLOW_FUZZ_SEED"].flatMap(UInt64.init) ?? 20_261_202
        try await Pipeline.run { pipeline in
            try await pipeline.loadMasterData(EndToEndTests.roomyMasterData())
            try await pipeline.receiveDemoStock(times: 2)
            // A real order first, so that the internal topics hold real envelopes to break.
            try await pipeline.submit([Submissions.valid("FUZZ-BEFORE")])
            try await EndToEndTests.driveToCompletion(pipeline, externals: ["FUZZ-BEFORE"], timeout: .seconds(120))
            let review = try await Self.realEnvelopes(pipeline, topic: .review, types: [OrderReceived.eventType])
            let warehouse = try await Self.realEnvelopes(pipeline, topic: .warehouse, types: [OrderReleased.eventType, StockReceived.eventType])

            let inputs = try Self.inputs(seed: seed, review: review, warehouse: warehouse)
            #expect(inputs.count >= 5_000)

            let positions = try await Self.send(inputs, through: pipeline)
            #expect(positions.count == inputs.count)

            try await pipeline.submit([Submissions.valid("FUZZ-AFTER")])
            try await EndToEndTests.driveToCompletion(pipeline, externals: ["FUZZ-AFTER"], timeout: .seconds(240))

            // Every input's outcome, found by its position (a status names it as its cause).
            let byCause = Dictionary(uniqueKeysWithValues: positions.map { ($0.key.description, $0.value) })
            let feed = pipeline.feed
            let total = inputs.count
            // Until every input has one, or nothing new came for 15 s (the rest is reported below).
            var seen = 0
            var lastChange = ContinuousClock.now
            while seen < total, ContinuousClock.now - lastChange < .seconds(15) {
                try await Task.sleep(for: .milliseconds(250))
                let count = Self.outcomes(feed, positions: positions, byCause: byCause).count
                if count != seen { (seen, lastChange) = (count, ContinuousClock.now) }
            }
            try await Task.sleep(for: .seconds(2))   // anything doubled would show by now
            let found = Self.outcomes(feed, positions: positions, byCause: byCause)

            let problems = Self.problems(inputs, found)
            #expect(problems.isEmpty, "seed \(seed): \(problems.count) inputs without exactly one rejection or dead letter:\n\(problems.prefix(15).joined(separator: "\n"))")
            for service in Pipeline.services {
                #expect(pipeline.isRunning(service), "\(service) is running:\n\(pipeline.logTail(service))")
            }
            var tally: [String: Int] = [:]
            for (index, entry) in inputs.enumerated() {
                let outcome = switch found[index]?.first {
                case .deadLetter(let service, let reason, _)?: "\(service):\(reason)"
                case .status(let status, let reasons)?: "\(status.rawValue):\(reasons.map(\.code.rawValue).sorted().joined(separator: "+"))"
                case nil: "none"
                }
                tally["\(entry.topic.rawValue) \(entry.input.kind.rawValue) → \(outcome)", default: 0] += 1
            }
            print("fuzzed inputs (seed \(seed)), kind → outcome:\n" + tally.sorted { $0.key < $1.key }.map { "  \($0.key): \($0.value)" }.joined(separator: "\n"))
        }
    }

    /// One fuzzed input and where it goes.
    struct Entry: Sendable {
        var topic: Topic
        var key: String
        var input: FuzzedInput
    }

    /// Valid submissions and the real envelopes, each broken one way (the kinds in turn).
    static func inputs(seed: UInt64, review: [KafkaMessage], warehouse: [KafkaMessage]) throws -> [Entry] {
        var fuzzer = InputFuzzer(seed: seed)
        let data = try EndToEndTests.roomyMasterData()
        let generator = DemoOrderGenerator(products: data.products, customers: data.customers, maxOrderValue: 20_000)
        var inputs: [Entry] = []
        for index in 0..<submissionCount {
            var submission = generator.submission(index: index, runId: "FZ", now: Date())
            submission.channel = "fuzz-shop"
            let base = try FuzzBase.submission(submission)
            let kinds = InputFuzzer.kinds(for: base)
            inputs.append(Entry(topic: .submitted, key: "fuzz-shop:FZ-\(index)", input: fuzzer.mutate(base, kinds[index % kinds.count])))
        }
        for (topic, envelopes) in [(Topic.review, review), (Topic.warehouse, warehouse)] where !envelopes.isEmpty {
            let rounds = FuzzKind.allCases.count
            for index in 0..<envelopeCountPerTopic {
                let real = envelopes[(index / rounds) % envelopes.count]
                guard let base = try FuzzBase.envelope(real.value ?? [], id: "fuzz-\(seed)-\(topic.rawValue)-\(index)") else { continue }
                let kinds = InputFuzzer.kinds(for: base)
                inputs.append(Entry(topic: topic, key: String(decoding: real.key ?? [], as: UTF8.self), input: fuzzer.mutate(base, kinds[index % kinds.count])))
            }
        }
        return inputs
    }

    /// Sends the inputs in order; where each landed, by its index.
    static func send(_ inputs: [Entry], through pipeline: Pipeline) async throws -> [Position: Int] {
        var positions: [Position: Int] = [:]
        for start in stride(from: 0, to: inputs.count, by: 500) {
            let chunk = inputs[start..<min(start + 500, inputs.count)]
            let reports = try await pipeline.producer.send(chunk.map {
                KafkaOutgoingMessage(topic: pipeline.topics.name($0.topic), key: Array($0.key.utf8), value: $0.input.bytes)
            })
            for (offset, report) in reports.enumerated() {
                positions[Position(topic: report.topic, partition: report.partition, offset: report.offset)] = start + offset
            }
        }
        return positions
    }

    /// The inputs without exactly one acceptable outcome: a dead letter with a reason, or
    /// (for a submission) a rejection with reason codes.
    static func problems(_ inputs: [Entry], _ found: [Int: [Outcome]]) -> [String] {
        var problems: [String] = []
        for (index, entry) in inputs.enumerated() {
            let results = found[index] ?? []
            let accepted: Bool
            switch results.first {
            case .deadLetter(_, let reason, let detail)?: accepted = !reason.isEmpty && !detail.isEmpty
            case .status(let status, let reasons)?:
                accepted = entry.topic == .submitted && status == .rejected && !reasons.isEmpty && reasons.allSatisfy { !$0.code.rawValue.isEmpty }
            case nil: accepted = false
            }
            if results.count != 1 || !accepted {
                let outcome = results.isEmpty ? "no outcome" : results.map(\.description).joined(separator: "; ")
                problems.append("#\(index) \(entry.topic.rawValue) \(entry.input.kind.rawValue) [\(entry.input.what)]: \(outcome) — "
                    + String(decoding: entry.input.bytes.prefix(160), as: UTF8.self))
            }
        }
        return problems
    }

    /// Each input's outcomes so far, by input index: dead letters by their source position,
    /// status events by their cause (intake names a submission by its position).
    static func outcomes(_ feed: StatusFeed, positions: [Position: Int], byCause: [String: Int]) -> [Int: [Outcome]] {
        var found: [Int: [Outcome]] = [:]
        for letter in feed.deadLettered {
            let headers = Dictionary(letter.headers.map { ($0.key, String(decoding: $0.value ?? [], as: UTF8.self)) }) { first, _ in first }
            guard let topic = headers["source.topic"], let partition = headers["source.partition"].flatMap(Int32.init),
                  let offset = headers["source.offset"].flatMap(Int64.init),
                  let index = positions[Position(topic: topic, partition: partition, offset: offset)] else { continue }
            found[index, default: []].append(.deadLetter(service: headers["service"] ?? "?", reason: headers["reason"] ?? "",
                                                         detail: headers["reason.detail"] ?? ""))
        }
        var seenIds: Set<String> = []
        for record in feed.all {
            // A submission's id is `topic/partition/offset/<hash of its bytes>`: its position is the first three.
            guard let change = record.payload as? OrderStatusChanged, let cause = record.envelope.causationid,
                  let index = byCause[cause.split(separator: "/").prefix(3).joined(separator: "/")],
                  seenIds.insert(record.envelope.id).inserted else { continue }
            found[index, default: []].append(.status(change.status, reasons: change.reasons ?? []))
        }
        return found
    }

    /// The messages on `topic` of the given types, read from its beginning.
    static func realEnvelopes(_ pipeline: Pipeline, topic: Topic, types: Set<String>) async throws -> [KafkaMessage] {
        let consumer = try KafkaConsumer(config: KafkaConsumerConfig(client: pipeline.broker.clientConfig(clientId: "fuzz-reader"), mode: .assignAll,
                                                                     topics: [pipeline.topics.name(topic)]), logger: Pipeline.logger)
        defer { Task { await consumer.close() } }
        var found: [KafkaMessage] = []
        var seenTypes: Set<String> = []
        let deadline = ContinuousClock.now + .seconds(30)
        while seenTypes != types, ContinuousClock.now < deadline, let batch = try await consumer.poll(maxMessages: 500, maxWait: .milliseconds(100)) {
            for message in batch {
                guard let value = message.value, let json = try? OrderFlowJSON.decoder.decode(JSONValue.self, from: Data(value)),
                      let type = json["type"]?.stringValue, types.contains(type) else { continue }
                found.append(message)
                seenTypes.insert(type)
            }
        }
        #expect(seenTypes == types, "real envelopes of \(types.sorted()) on \(topic.rawValue); found \(seenTypes.sorted())")
        return found
    }
}
