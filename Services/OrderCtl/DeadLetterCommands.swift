import ArgumentParser
import Foundation
import Kafka
import OrderModel
import ServiceKit

/// `orderctl deadletter list` / `replay`: what is in `orders.deadletter`, and sending it again
/// to its original topic once the cause is fixed (docs/contract/deadletter.md).
struct DeadLetters: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deadletter", abstract: "List dead letters and replay them to their original topic.",
        subcommands: [List.self, Replay.self])

    /// Which dead letters: flags shared by `list` and `replay`.
    struct FilterOptions: ParsableArguments {
        @Option(name: .customLong("reason"), help: "Only this reason code (repeatable), e.g. too_large, unsupported_dataversion.")
        var reasons: [String] = []
        @Option(name: .customLong("service"), help: "Only dead letters written by this service (repeatable).")
        var services: [String] = []
        @Option(name: .customLong("topic"), help: "Only those read from this original topic (repeatable; logical name, e.g. orders.billing).")
        var sourceTopics: [String] = []
        @Option(help: "Only those written since: an RFC 3339 time, or an age such as 30m, 12h, 7d.")
        var since: String?

        func filter(topics: TopicNames) throws -> DeadLetterFilter {
            var sinceDate: Date?
            if let since {
                guard let date = DeadLetterFilter.parseSince(since) else {
                    throw ValidationError("--since '\(since)' is neither an RFC 3339 time nor an age such as 12h or 7d")
                }
                sinceDate = date
            }
            return DeadLetterFilter(reasons: Set(reasons), services: Set(services), since: sinceDate,
                                    sourceTopics: Set(sourceTopics.map { Topic(rawValue: $0).map(topics.name) ?? $0 }))
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the dead letters (oldest first), with their reason and whether they were replayed.")

        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var filters: FilterOptions
        @Flag(help: "Print JSON (one array) instead of lines for people.") var json = false

        func run() async throws {
            let filter = try filters.filter(topics: connection.topics)
            let store = try await DeadLetterStore.read(connection)
            let letters = store.letters.filter(filter.matches)
            if json {
                print(try DeadLetterJSON.encode(letters.map { DeadLetterJSON.Letter($0, replay: store.replays[$0.replayKey]) }))
                return
            }
            if !store.replayLogExists {
                print("note: \(connection.topics.name(.deadletterReplays)) does not exist (run orderctl topics create): replays are not shown")
            }
            for letter in letters { print(DeadLetterText.describe(letter, replay: store.replays[letter.replayKey])) }
            print("\(letters.count) dead letter(s)\(filter.isEmpty ? "" : " matching") of \(store.letters.count)")
        }
    }

    struct Replay: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Send dead letters again to their original topic: the original key, bytes and headers.",
            discussion: """
                Select by id (as `list` shows them: <partition>:<offset>), by filters, or both (then both must hold); \
                --all selects every dead letter. A letter replayed before (recorded on orders.deadletter.replays, \
                whichever machine replayed it) is refused unless --force. A letter whose body was omitted (too large) \
                cannot be replayed: its original is only at its source position. Exit status 1 when a selected letter \
                was not replayed.
                """)

        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var filters: FilterOptions
        @Argument(help: "Dead-letter ids, <partition>:<offset>.") var ids: [String] = []
        @Flag(help: "Select every dead letter (when no id or filter is given).") var all = false
        @Flag(help: "Replay letters that were replayed before, too.") var force = false
        @Flag(help: "Say what would be replayed, send nothing.") var dryRun = false
        @Flag(help: "Print JSON instead of lines for people.") var json = false

        func validate() throws {
            for id in ids where DeadLetter.position(of: id) == nil {
                throw ValidationError("'\(id)' is not a dead-letter id (<partition>:<offset>, as orderctl deadletter list shows)")
            }
        }

        func run() async throws {
            let filter = try filters.filter(topics: connection.topics)
            guard !ids.isEmpty || !filter.isEmpty || all else {
                throw ValidationError("say which dead letters: ids, --reason/--service/--topic/--since, or --all")
            }
            let store = try await DeadLetterStore.read(connection)
            guard store.replayLogExists || dryRun else {
                throw ValidationError("\(connection.topics.name(.deadletterReplays)) does not exist: run orderctl topics create first (replays are recorded there)")
            }
            let wanted = Set(ids)
            var selected = store.letters.filter { (wanted.isEmpty || wanted.contains($0.id)) && filter.matches($0) }
            let unknown = wanted.subtracting(store.letters.map(\.id)).sorted()
            selected.sort { ($0.partition, $0.offset) < ($1.partition, $1.offset) }

            var replays = store.replays
            var outcomes: [DeadLetterJSON.Outcome] = []
            var toSend: [(DeadLetter, Bool)] = []
            for letter in selected {
                switch DeadLetterReplayDecision.decide(letter, replays: replays, force: force) {
                case .replay(let forced):
                    toSend.append((letter, forced))
                    replays[letter.replayKey] = nil
                case .alreadyReplayed(let previous):
                    outcomes.append(.init(id: letter.id, outcome: "refused", detail:
                        "already replayed at \(Timestamp.format(previous.replayedAt)) by \(previous.replayedBy) to \(previous.topic)[\(previous.partition)]@\(previous.offset) (from dead letter \(previous.deadLetter)); --force replays it again"))
                case .cannotReplay(let why):
                    outcomes.append(.init(id: letter.id, outcome: "cannot_replay", detail: why))
                }
            }
            for id in unknown { outcomes.append(.init(id: id, outcome: "not_found", detail: "no dead letter at \(id) in \(connection.topics.name(.deadletter))")) }

            if dryRun {
                for (letter, forced) in toSend {
                    outcomes.append(.init(id: letter.id, outcome: "would_replay", detail: "to \(letter.sourceTopic ?? "?")\(forced ? " (forced)" : "")"))
                }
            } else if !toSend.isEmpty {
                outcomes += try await send(toSend)
            }
            outcomes.sort { ($0.id.count, $0.id) < ($1.id.count, $1.id) }
            if json {
                print(try DeadLetterJSON.encode(outcomes))
            } else {
                for outcome in outcomes { print("\(outcome.id): \(outcome.outcome.replacingOccurrences(of: "_", with: " ")): \(outcome.detail)") }
                let sent = outcomes.filter { $0.outcome == "replayed" }.count
                print(dryRun ? "dry run: \(toSend.count) of \(selected.count) selected would be replayed" : "replayed \(sent) of \(selected.count) selected")
            }
            if outcomes.contains(where: { $0.outcome != "replayed" && $0.outcome != "would_replay" }) { throw ExitCode(1) }
        }

        /// `$USER`, `$LOGNAME`, else the account name of this process's user.
        static func userName() -> String {
            let environment = ProcessInfo.processInfo.environment
            if let name = environment["USER"] ?? environment["LOGNAME"], !name.isEmpty { return name }
            if let entry = getpwuid(getuid()), let name = entry.pointee.pw_name { return String(cString: name) }
            return "uid \(getuid())"
        }

        /// Sends the letters (idempotent producer, in order), then records each delivered one
        /// on the replay log.
        private func send(_ letters: [(DeadLetter, Bool)]) async throws -> [DeadLetterJSON.Outcome] {
            let producer = try connection.producer()
            let messages = letters.compactMap { $0.0.replayMessage() }
            let results = try await producer.sendEach(messages)
            let by = "\(Self.userName())@\(ProcessInfo.processInfo.hostName)"
            var outcomes: [DeadLetterJSON.Outcome] = []
            var records: [KafkaOutgoingMessage] = []
            for ((letter, forced), result) in zip(letters, results) {
                switch result {
                case .delivered(let report):
                    let record = DeadLetterReplayRecord(letter: letter, topic: report.topic, partition: report.partition, offset: report.offset,
                                                        replayedAt: Date(), replayedBy: by, forced: forced)
                    records.append(KafkaOutgoingMessage(topic: connection.topics.name(.deadletterReplays), key: letter.replayKey,
                                                        value: try OrderFlowJSON.encode(record)))
                    outcomes.append(.init(id: letter.id, outcome: "replayed",
                                          detail: "to \(report.topic)[\(report.partition)]@\(report.offset)\(forced ? " (forced: replayed before)" : "")"))
                case .failed(let error):
                    outcomes.append(.init(id: letter.id, outcome: "failed", detail: "not sent: \(error)"))
                case .held:
                    outcomes.append(.init(id: letter.id, outcome: "failed", detail: "not sent: an earlier letter with the same key was refused"))
                }
            }
            do {
                _ = try await producer.send(records)
            } catch {
                await producer.shutdown()
                throw ValidationError("replayed, but the replays could not be recorded on \(connection.topics.name(.deadletterReplays)) (\(error)): a second replay would not be refused. Replayed: \(outcomes.filter { $0.outcome == "replayed" }.map(\.id).joined(separator: ", "))")
            }
            await producer.shutdown()
            return outcomes
        }
    }
}

/// The dead letters and the replay log, read from the beginning to their current end.
struct DeadLetterStore {
    var letters: [DeadLetter]
    /// Latest replay per replay key.
    var replays: [String: DeadLetterReplayRecord]
    var replayLogExists: Bool

    static func read(_ connection: ConnectionOptions) async throws -> DeadLetterStore {
        var letters: [DeadLetter] = []
        let reader = TopicReader(consumer: try connection.reader([.deadletter]))
        try await reader.read(follow: false) { message in
            if let letter = DeadLetter(message) { letters.append(letter) }
            return true
        }
        await reader.consumer.close()
        letters.sort { ($0.time ?? .distantPast, $0.partition, $0.offset) < ($1.time ?? .distantPast, $1.partition, $1.offset) }

        let admin = try KafkaAdmin(client: try connection.client("admin"), logger: connection.logger)
        let exists = try await admin.partitionCount(of: connection.topics.name(.deadletterReplays)) != nil
        await admin.close()
        var replays: [String: DeadLetterReplayRecord] = [:]
        if exists {
            let log = TopicReader(consumer: try connection.reader([.deadletterReplays]))
            try await log.read(follow: false) { message in
                guard let key = message.keyString else { return true }
                if let value = message.value, let record = try? OrderFlowJSON.decode(DeadLetterReplayRecord.self, from: Data(value)) {
                    replays[key] = record
                } else if message.value == nil {
                    replays[key] = nil  // a tombstone forgets the replay
                }
                return true
            }
            await log.consumer.close()
        }
        return DeadLetterStore(letters: letters, replays: replays, replayLogExists: exists)
    }
}

/// Dead letters as lines for people.
enum DeadLetterText {
    static func describe(_ letter: DeadLetter, replay: DeadLetterReplayRecord?) -> String {
        let source = "\(letter.sourceTopic ?? "?")[\(letter.sourcePartition.map(String.init) ?? "?")]@\(letter.sourceOffset.map(String.init) ?? "?")"
        let key = letter.key.map { String(decoding: $0.prefix(80), as: UTF8.self) } ?? "-"
        let body = letter.bodyOmitted.map { "body omitted (\($0), \(letter.bodyBytes.map(String.init) ?? "?") bytes)" } ?? "\(letter.value?.count ?? 0) bytes"
        var line = "\(letter.id)  \(letter.time.map(Timestamp.format) ?? "-")  \(letter.service)  \(letter.reason)  from \(source)  key=\(key)  \(body)"
        if let replay {
            line += "  replayed \(Timestamp.format(replay.replayedAt)) → \(replay.topic)[\(replay.partition)]@\(replay.offset)"
        } else if letter.replayProblem != nil {
            line += "  not replayable"
        }
        return line + "\n    \(letter.detail.prefix(300))"
    }
}

/// Dead letters and replay outcomes as JSON (`--json`).
enum DeadLetterJSON {
    struct Letter: Encodable {
        var id: String
        var time: String?
        var service: String
        var reason: String
        var detail: String
        var sourceTopic: String?
        var sourcePartition: Int32?
        var sourceOffset: Int64?
        var key: String?
        var bytes: Int?
        var bodyOmitted: String?
        var replayable: Bool
        var notReplayableBecause: String?
        var replayedAt: String?
        var replayedTo: String?
        var originalHeaders: [String: String]

        init(_ letter: DeadLetter, replay: DeadLetterReplayRecord?) {
            id = letter.id
            time = letter.time.map(Timestamp.format)
            service = letter.service
            reason = letter.reason
            detail = letter.detail
            sourceTopic = letter.sourceTopic
            sourcePartition = letter.sourcePartition
            sourceOffset = letter.sourceOffset
            key = letter.key.map { String(decoding: $0, as: UTF8.self) }
            bytes = letter.bodyOmitted == nil ? letter.value?.count : letter.bodyBytes
            bodyOmitted = letter.bodyOmitted
            notReplayableBecause = letter.replayProblem
            replayable = notReplayableBecause == nil
            replayedAt = replay.map { Timestamp.format($0.replayedAt) }
            replayedTo = replay.map { "\($0.topic)[\($0.partition)]@\($0.offset)" }
            originalHeaders = Dictionary(letter.originalHeaders.map { ($0.key, $0.value.map { String(decoding: $0, as: UTF8.self) } ?? "") }) { $1 }
        }
    }

    struct Outcome: Encodable {
        /// The dead letter's id.
        var id: String
        /// `replayed`, `refused` (replayed before), `cannot_replay`, `not_found`, `failed`, `would_replay` (dry run).
        var outcome: String
        var detail: String
    }

    static func encode(_ value: some Encodable) throws -> String {
        String(decoding: try OrderFlowJSON.encoder.encode(value), as: UTF8.self)
    }
}
