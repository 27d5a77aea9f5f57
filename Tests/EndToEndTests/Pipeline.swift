import DemoKit
import Foundation
import Kafka
import Logging
import OrderModel
import Synchronization
import TestSupport
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The five real executables against a broker of their own, for end-to-end and crash
/// tests: starts and kills services as processes, feeds master data, orders and inbound
/// events through Kafka, and records everything that appears on `orders.status` and
/// `orders.deadletter`.
final class Pipeline: @unchecked Sendable {
    // @unchecked: `processes` is only touched under `lock`; every other stored property is
    // immutable and Sendable.
    static let services = ["intake", "review", "warehouse", "logistics", "billing"]
    /// Started only by the tests that ask for it (`services:`): the tracking service.
    static let tracking = "tracking"

    let broker: LocalBroker
    let topics = TopicNames(prefix: "e2e.")
    let workDir: URL
    let binDir: URL
    let producer: KafkaProducer
    let feed: StatusFeed
    let ports: [String: Int]
    let baseEnvironment: [String: String]
    private let lock = NSLock()
    private var processes: [String: Process] = [:]
    /// HTTP ports of extra instances (`startService(_:as:)`), under `lock`.
    private var instancePorts: [String: Int] = [:]

    static var logger: Logger {
        var logger = Logger(label: "e2e")
        logger.logLevel = .warning
        return logger
    }

    /// Starts a broker, creates topics, loads the demo master data and starts all five
    /// services (demo mode unless `environment` says otherwise).
    static func start(environment: [String: String] = [:], services: [String] = Pipeline.services) async throws -> Pipeline {
        let broker = try await LocalBroker.start()
        let pipeline = try Pipeline(broker: broker, environment: environment)
        try await pipeline.createTopics()
        try await pipeline.loadMasterData()
        for service in services { try pipeline.startService(service) }
        try await pipeline.feed.start()
        for service in services { try await pipeline.waitReady(service) }
        return pipeline
    }

    /// Starts a pipeline, runs `body` and always stops everything it started; when `body`
    /// fails, the services' last log lines are printed with the error.
    static func run(environment: [String: String] = [:], services: [String] = Pipeline.services,
                    _ body: (Pipeline) async throws -> Void) async throws {
        let pipeline = try await start(environment: environment, services: services)
        do {
            try await body(pipeline)
        } catch {
            for service in services { print("--- \(service) log ---\n\(pipeline.logTail(service))") }
            await pipeline.stop()
            throw error
        }
        await pipeline.stop()
    }

    private init(broker: LocalBroker, environment: [String: String]) throws {
        self.broker = broker
        workDir = FileManager.default.temporaryDirectory.appendingPathComponent("orderflow-e2e-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: workDir, withIntermediateDirectories: true)
        binDir = Self.binDirectory()
        producer = try KafkaProducer(client: broker.clientConfig(clientId: "e2e-producer"), logger: Self.logger)
        feed = try StatusFeed(broker: broker, topics: topics)
        var ports: [String: Int] = [:]
        for service in Self.services + [Self.tracking] { ports[service] = try LocalBroker.freePort() }
        self.ports = ports
        var env = ProcessInfo.processInfo.environment
        env["ORDERFLOW_BOOTSTRAP_SERVERS"] = broker.bootstrapServers
        env["ORDERFLOW_TOPIC_PREFIX"] = topics.prefix
        env["ORDERFLOW_KAFKA_PROFILE"] = "local"
        env["ORDERFLOW_DEMO_MODE"] = "true"
        env["ORDERFLOW_LOG_LEVEL"] = "info"
        env["ORDERFLOW_TICK_MS"] = "100"
        env["ORDERFLOW_WAREHOUSE_QC_FAILURE_RATE"] = "0"
        // orderctl asks this pipeline's tracking service (nothing listens unless a test starts it).
        env["ORDERFLOW_TRACKING_URL"] = "http://127.0.0.1:\(ports[Self.tracking]!)"
        env.merge(environment) { _, new in new }
        baseEnvironment = env
    }

    /// `ORDERFLOW_BIN_DIR` (set by `make test`), else `.build/debug` of this package.
    static func binDirectory() -> URL {
        if let dir = ProcessInfo.processInfo.environment["ORDERFLOW_BIN_DIR"], !dir.isEmpty { return URL(fileURLWithPath: dir) }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent(".build/debug")
    }

    func createTopics() async throws {
        let admin = try KafkaAdmin(client: broker.clientConfig(clientId: "e2e-admin"), logger: Self.logger)
        _ = try await admin.createTopics(Topic.allCases.map {
            KafkaTopicSpec(name: topics.name($0), partitions: 3, replicationFactor: 1, config: $0.isCompacted ? ["cleanup.policy": "compact"] : [:])
        }, timeout: .seconds(20))
        await admin.close()
    }

    /// The demo master data of `deploy/masterdata`.
    static func demoMasterData() throws -> MasterDataFile {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("deploy/masterdata")
        var data = try MasterDataFile.read(folder.appendingPathComponent("products.json"))
        data.merge(try MasterDataFile.read(folder.appendingPathComponent("customers.json")))
        data.merge(try MasterDataFile.read(folder.appendingPathComponent("stock.json")))
        return data
    }

    func loadMasterData(_ data: MasterDataFile? = nil) async throws {
        let data = try data ?? Self.demoMasterData()
        _ = try await producer.send(try data.products.map {
            KafkaOutgoingMessage(topic: topics.name(.products), key: Array($0.sku.rawValue.utf8), value: Array(try OrderFlowJSON.encoder.encode($0)))
        } + data.customers.map {
            KafkaOutgoingMessage(topic: topics.name(.customers), key: Array($0.customerId.rawValue.utf8), value: Array(try OrderFlowJSON.encoder.encode($0)))
        })
    }

    /// Posts the demo opening stock (`stock.received`), each SKU `times` over.
    func receiveDemoStock(times: Int = 1) async throws {
        for receipt in try Self.demoMasterData().stock {
            try await send(StockReceived(sku: receipt.sku, quantity: receipt.quantity * times, reference: receipt.reference), to: .warehouse, key: receipt.sku.rawValue)
        }
    }

    // MARK: Processes

    /// Starts the service's executable. `instance`: a name for a further instance of it (own
    /// database file, log and HTTP port; the same consumer group), used in place of the
    /// service's name by the other process functions.
    func startService(_ name: String, as instance: String? = nil, environment: [String: String] = [:]) throws {
        let instance = instance ?? name
        if ports[instance] == nil, lock.withLock({ instancePorts[instance] }) == nil {
            let port = try LocalBroker.freePort()
            lock.withLock { instancePorts[instance] = port }
        }
        let process = Process()
        process.executableURL = binDir.appendingPathComponent(name)
        process.arguments = ["--db-path", workDir.appendingPathComponent("\(instance).sqlite").path, "--http-port", String(port(instance))]
        process.environment = baseEnvironment.merging(environment) { _, new in new }
        let log = workDir.appendingPathComponent("\(instance).log")
        if !FileManager.default.fileExists(atPath: log.path) { _ = FileManager.default.createFile(atPath: log.path, contents: nil) }
        let handle = try FileHandle(forWritingTo: log)
        handle.seekToEndOfFile()
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        lock.withLock { processes[instance] = process }
    }

    /// The HTTP port of a service or instance.
    func port(_ name: String) -> Int { ports[name] ?? lock.withLock { instancePorts[name]! } }

    /// Sends `signal` to the service and waits for it to exit.
    func stopService(_ name: String, signal: Int32 = SIGTERM) async -> Int32? {
        guard let process = lock.withLock({ processes.removeValue(forKey: name) }) else { return nil }
        kill(process.processIdentifier, signal)
        for _ in 0..<300 where process.isRunning { try? await Task.sleep(for: .milliseconds(50)) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() }
        return process.terminationStatus
    }

    /// Waits (up to `timeout`) for the service to exit by itself; its exit status, or nil if
    /// it is still running (or was never started).
    func waitForExit(_ name: String, timeout: Duration) async -> Int32? {
        guard let process = lock.withLock({ processes[name] }) else { return nil }
        let deadline = ContinuousClock.now + timeout
        while process.isRunning, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(100)) }
        guard !process.isRunning else { return nil }
        lock.withLock { _ = processes.removeValue(forKey: name) }
        return process.terminationStatus
    }

    func isRunning(_ name: String) -> Bool { lock.withLock { processes[name]?.isRunning ?? false } }

    /// Waits until `/ready` answers 200.
    func waitReady(_ name: String, timeout: Duration = .seconds(60)) async throws {
        let url = URL(string: "http://127.0.0.1:\(port(name))/ready")!
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let (_, response) = try? await URLSession.shared.data(from: url), (response as? HTTPURLResponse)?.statusCode == 200 { return }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw PipelineError("\(name) not ready within \(timeout); log:\n\(logTail(name))")
    }

    func http(_ name: String, _ path: String) async throws -> (Int, String) {
        let (data, response) = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(port(name))\(path)")!)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
    }

    func logTail(_ name: String, lines: Int = 30) -> String {
        let text = (try? String(contentsOf: workDir.appendingPathComponent("\(name).log"), encoding: .utf8)) ?? ""
        return text.split(separator: "\n").suffix(lines).joined(separator: "\n")
    }

    func stop() async {
        for name in Self.services.reversed() { _ = await stopService(name) }
        for instance in lock.withLock({ Array(processes.keys) }) { _ = await stopService(instance) }
        await feed.stop()
        await producer.shutdown()
        await broker.stop()
        try? FileManager.default.removeItem(at: workDir)
    }

    // MARK: Input

    func submit(_ submissions: [OrderSubmission]) async throws {
        _ = try await producer.send(try submissions.map { submission in
            KafkaOutgoingMessage(topic: topics.name(.submitted), key: Array("\(submission.channel ?? ""):\(submission.externalOrderId ?? "")".utf8),
                                 value: Array(try OrderFlowJSON.encoder.encode(submission)))
        })
    }

    func submitRaw(_ bytes: [UInt8], key: String) async throws {
        _ = try await producer.send(KafkaOutgoingMessage(topic: topics.name(.submitted), key: Array(key.utf8), value: bytes))
    }

    func sendRaw(_ bytes: [UInt8], to topic: Topic, key: String) async throws {
        _ = try await producer.send(KafkaOutgoingMessage(topic: topics.name(topic), key: Array(key.utf8), value: bytes))
    }

    /// Sends an inbound event in a CloudEvents envelope, as an outside party would.
    func send<P: EventPayload>(_ payload: P, to topic: Topic, key: String, id: String = UUID().uuidString.lowercased()) async throws {
        let envelope = try EventEnvelope(id: id, source: "/e2e", subject: key, time: Date(), correlationid: nil, causationid: nil, payload: payload)
        _ = try await producer.send(KafkaOutgoingMessage(topic: topics.name(topic), key: Array(key.utf8), value: Array(try envelope.encoded())))
    }

    /// Pays every invoiced order of `orders` once (the test plays the customers).
    func payInvoices(of externalIds: Set<String>, paid: inout Set<OrderID>) async throws {
        for change in feed.statusChanges() where change.status == .invoiced && externalIds.contains(change.externalOrderId) && !paid.contains(change.orderId) {
            guard let amount = change.details?["amount"].flatMap(DecimalString.init) else { continue }
            try await send(PaymentReceived(orderId: change.orderId, amount: amount, currency: change.details?["currency"] ?? "CNY", reference: "E2E-\(change.orderId)"),
                           to: .billing, key: change.orderId.rawValue, id: "e2e-pay-\(change.orderId)")
            paid.insert(change.orderId)
        }
    }
}

/// Runs a program to its end and returns its exit status and everything it printed.
func runProgram(_ executable: URL, _ arguments: [String], environment: [String: String]? = nil,
                in directory: URL? = nil) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    if let environment { process.environment = environment }
    process.currentDirectoryURL = directory
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    return (process.terminationStatus, output)
}

struct PipelineError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Everything published on `orders.status` and `orders.deadletter`, collected in the
/// background from the beginning of both topics.
final class StatusFeed: Sendable {
    struct Record: Sendable {
        let envelope: EventEnvelope
        let payload: any EventPayload
    }

    private let consumer: KafkaConsumer
    private let topics: TopicNames
    private let records = Mutex<[Record]>([])
    private let deadLetters = Mutex<[KafkaMessage]>([])
    private let task = Mutex<Task<Void, Never>?>(nil)

    init(broker: LocalBroker, topics: TopicNames) throws {
        self.topics = topics
        consumer = try KafkaConsumer(config: KafkaConsumerConfig(client: broker.clientConfig(clientId: "e2e-feed"), mode: .assignAll,
                                                                 topics: [topics.name(.status), topics.name(.deadletter)]),
                                     logger: Pipeline.logger)
    }

    func start() async throws {
        let consumer = self.consumer
        let topics = self.topics
        task.withLock { $0 = Task { [self] in
            do {
                for try await batch in consumer.batches(maxMessages: 1000, maxWait: .milliseconds(20)) {
                    for message in batch {
                        if topics.topic(named: message.topic) == .deadletter {
                            self.deadLetters.withLock { $0.append(message) }
                        } else if let value = message.value, let event = try? EventRegistry.standard.decode(value) {
                            self.records.withLock { $0.append(Record(envelope: event.envelope, payload: event.payload)) }
                        }
                    }
                }
            } catch {}
        } }
    }

    func stop() async {
        task.withLock { $0?.cancel() }
        await consumer.close()
    }

    var all: [Record] { records.withLock { $0 } }
    var deadLettered: [KafkaMessage] { deadLetters.withLock { $0 } }

    func statusChanges() -> [OrderStatusChanged] { all.compactMap { $0.payload as? OrderStatusChanged } }

    /// The statuses of the order with this external id, in order of arrival.
    func statuses(external: String) -> [OrderStatus] { statusChanges().filter { $0.externalOrderId == external }.map(\.status) }

    func latest(external: String) -> OrderStatusChanged? { statusChanges().last { $0.externalOrderId == external } }

    func orderId(external: String) -> OrderID? { statusChanges().first { $0.externalOrderId == external }?.orderId }

    func payloads<P: EventPayload>(_ type: P.Type) -> [P] { all.compactMap { $0.payload as? P } }

    /// Waits until `condition` holds, polling the feed.
    func wait(timeout: Duration = .seconds(60), _ what: @autoclosure () -> String, until condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while !condition() {
            guard ContinuousClock.now < deadline else { throw PipelineError("timed out waiting for \(what())") }
            try await Task.sleep(for: .milliseconds(100))
        }
    }
}

/// Builds submissions for tests, starting from a valid one.
enum Submissions {
    static func valid(_ external: String, customer: String = "C-1001", lines: [(String, Int, String)] = [("PUMP-200", 1, "1180.00")],
                      requestedDeliveryDate: String? = nil, channel: String = "e2e-shop") -> OrderSubmission {
        OrderSubmission(
            schemaVersion: 1, channel: channel, externalOrderId: external, submittedAt: Timestamp.format(Date()), customerId: customer,
            currency: "CNY", lines: lines.map { .init(sku: $0.0, quantity: .number(Decimal($0.1)), unitPrice: .string($0.2)) },
            requestedDeliveryDate: requestedDeliveryDate,
            shipTo: .init(name: "Test Buyer", phone: "+86 21 5555 0000", line1: "1 Test Road", city: "Shanghai", region: "East", postalCode: "200000", country: "CN"),
            paymentTerms: "NET30", shippingMethod: "standard")
    }
}
