import Foundation
import Kafka
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A throwaway local Kafka-compatible broker (Tansu, in-memory storage) for tests.
///
/// `start()` picks a free port, launches `tansu broker` (from `$ORDERFLOW_TANSU`, else
/// `<package root>/.tools/bin/tansu`), and returns once the port accepts connections and a
/// metadata request succeeds. Tansu's output goes to `logFile`, not the test output.
/// `stop()` sends SIGTERM, then SIGKILL, and reaps the process; `deinit` kills it if needed,
/// and a small watchdog shell kills it if the test process dies without either.
/// `shared()` gives one broker per test process (killed at process exit).
public final class LocalBroker: Sendable {
    /// `host:port` to pass as `bootstrap.servers`.
    public let bootstrapServers: String
    /// The port Tansu listens on.
    public let port: Int
    /// Where Tansu's stdout/stderr go.
    public let logFile: URL
    private let pid: pid_t
    private let watchdog: pid_t?
    private let running = Mutex(true)

    private init(pid: pid_t, watchdog: pid_t?, port: Int, logFile: URL) {
        self.pid = pid
        self.watchdog = watchdog
        self.port = port
        self.logFile = logFile
        self.bootstrapServers = "127.0.0.1:\(port)"
    }

    deinit {
        var status: Int32 = 0
        if running.withLock({ $0 }) {
            kill(pid, SIGKILL)
            waitpid(pid, &status, 0)
        }
        if let watchdog, waitpid(watchdog, &status, WNOHANG) == 0 {
            kill(watchdog, SIGKILL)
            waitpid(watchdog, &status, 0)
        }
    }

    /// Client settings for this broker (`KafkaClientConfig.local`: fast group joins, short fetch waits).
    public func clientConfig(clientId: String = "orderflow-test", options: [String: String] = [:]) -> KafkaClientConfig {
        KafkaClientConfig.local(bootstrapServers: bootstrapServers, clientId: clientId, options: options)
    }

    /// A topic (or group) name unique to this call: `base-<random>`.
    public func uniqueTopic(_ base: String) -> String {
        LocalBroker.uniqueName(base)
    }

    /// `base-<random>`; usable without a broker.
    public static func uniqueName(_ base: String) -> String {
        "\(base)-\(UUID().uuidString.prefix(8).lowercased())"
    }

    /// The Tansu binary: `$ORDERFLOW_TANSU`, else `<package root>/.tools/bin/tansu`.
    public static func tansuPath(filePath: String = #filePath) -> String {
        if let path = ProcessInfo.processInfo.environment["ORDERFLOW_TANSU"], !path.isEmpty { return path }
        // <root>/Tests/TestSupport/LocalBroker.swift → <root>
        let root = URL(fileURLWithPath: filePath).resolvingSymlinksInPath()
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".tools/bin/tansu").path
    }

    // MARK: Shared broker

    private static let sharedBroker = SharedBrokerBox()

    /// One broker for the whole test process, started on first use and killed at exit.
    public static func shared() async throws -> LocalBroker {
        try await sharedBroker.get()
    }

    // MARK: Start / stop

    /// Launches a new broker and waits until it serves metadata.
    /// - Throws: `LocalBrokerError` if the binary is missing or the broker does not come up in `timeout`.
    public static func start(timeout: Duration = .seconds(30)) async throws -> LocalBroker {
        // A port found free can be taken by someone else before Tansu binds it: retry.
        var attempt = 1
        while true {
            do {
                return try await startOnce(timeout: timeout)
            } catch let error as LocalBrokerError where error.retryable && attempt < 3 {
                FileHandle.standardError.write(Data("LocalBroker: retrying start after: \(error)\n".utf8))
                attempt += 1
            }
        }
    }

    private static func startOnce(timeout: Duration) async throws -> LocalBroker {
        let binary = tansuPath()
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw LocalBrokerError("tansu binary not found at \(binary); run scripts/setup.sh or set ORDERFLOW_TANSU")
        }
        let port = try freePort()
        let logFile = FileManager.default.temporaryDirectory.appendingPathComponent("tansu-\(port)-\(UUID().uuidString.prefix(6)).log")
        let listener = "tcp://127.0.0.1:\(port)"
        let pid = try spawn(binary, arguments: [
            "broker",
            "--listener-url", listener,
            "--advertised-listener-url", listener,
            "--storage-engine", "memory://tansu/",
        ], logPath: logFile.path)
        // Watchdog: kills Tansu if this test process dies without stopping it (crash, exit
        // without deinit); it ends by itself once Tansu is gone.
        let watchdog = try? spawn("/bin/sh", arguments: [
            "-c",
            "while kill -0 \"$1\" 2>/dev/null && kill -0 \"$2\" 2>/dev/null; do sleep 0.5; done; kill -9 \"$2\" 2>/dev/null",
            "tansu-watchdog", "\(getpid())", "\(pid)",
        ], logPath: "/dev/null")
        let broker = LocalBroker(pid: pid, watchdog: watchdog, port: port, logFile: logFile)
        do {
            try await broker.waitUntilReady(timeout: timeout)
        } catch {
            await broker.stop()
            throw error
        }
        return broker
    }

    /// Freezes the broker (SIGSTOP), as a hung broker or a network that drops everything
    /// would: connections stay open, nothing is answered, nothing is lost. For outage tests;
    /// `resume()` lets it go on.
    public func pause() {
        if running.withLock({ $0 }) { kill(pid, SIGSTOP) }
    }

    /// Lets a paused broker go on (SIGCONT), with everything it held.
    public func resume() {
        if running.withLock({ $0 }) { kill(pid, SIGCONT) }
    }

    /// Stops the broker: SIGTERM, then SIGKILL after 3 s; waits for it to exit. Idempotent.
    public func stop() async {
        guard running.withLock({ running in
            defer { running = false }
            return running
        }) else { return }
        kill(pid, SIGTERM)
        kill(pid, SIGCONT)  // a paused broker handles SIGTERM only once it runs again
        let deadline = ContinuousClock.now + .seconds(3)
        var exited = false
        while ContinuousClock.now < deadline {
            if reap() {
                exited = true
                break
            }
            try? await Task.sleep(for: .milliseconds(20))
        }
        if !exited {
            kill(pid, SIGKILL)
            let killDeadline = ContinuousClock.now + .seconds(5)
            while !reap(), ContinuousClock.now < killDeadline { try? await Task.sleep(for: .milliseconds(10)) }
        }
        await reapWatchdog()
    }

    /// The watchdog notices Tansu is gone within ~0.5 s and exits; reap it (no zombies).
    private func reapWatchdog() async {
        guard let watchdog else { return }
        let deadline = ContinuousClock.now + .seconds(2)
        var status: Int32 = 0
        while ContinuousClock.now < deadline {
            let result = waitpid(watchdog, &status, WNOHANG)
            if result == watchdog || result == -1 { return }
            try? await Task.sleep(for: .milliseconds(50))
        }
        kill(watchdog, SIGKILL)
        waitpid(watchdog, &status, 0)
    }

    /// Whether the process has exited (reaps it if so).
    private func reap() -> Bool {
        exitDescription() != nil
    }

    /// `nil` while running; otherwise how the process ended (it is reaped).
    private func exitDescription() -> String? {
        var status: Int32 = 0
        let result = waitpid(pid, &status, WNOHANG)
        if result == 0 { return nil }
        if result == -1 {
            // Not waitable (e.g. reaped elsewhere): gone only if the PID no longer exists.
            return kill(pid, 0) != 0 && errno == ESRCH ? "exited (reaped elsewhere)" : nil
        }
        let signal = status & 0x7f
        return signal == 0 ? "exit status \((status >> 8) & 0xff)" : "signal \(signal)"
    }

    /// The last lines of Tansu's log (for failure messages).
    public func logTail(lines: Int = 20) -> String {
        let text = (try? String(contentsOf: logFile, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").suffix(lines).joined(separator: "\n")
    }

    private func waitUntilReady(timeout: Duration) async throws {
        let deadline = ContinuousClock.now + timeout
        // 1. TCP port accepts connections.
        while !LocalBroker.canConnect(port: port) {
            if let exit = exitDescription() {
                running.withLock { $0 = false }
                throw LocalBrokerError(retryable: true, "tansu (port \(port)) exited during startup (\(exit)); log \(logFile.path):\n\(logTail())")
            }
            guard ContinuousClock.now < deadline else { throw LocalBrokerError("tansu did not open port \(port):\n\(logTail())") }
            try await Task.sleep(for: .milliseconds(20))
        }
        // 2. A metadata request works.
        let admin = try KafkaAdmin(client: clientConfig(clientId: "local-broker-probe"))
        defer { Task { await admin.close() } }
        while true {
            do {
                _ = try await admin.partitionCount(of: "__probe", timeout: .seconds(2))
                return
            } catch {
                guard ContinuousClock.now < deadline else {
                    throw LocalBrokerError("tansu on port \(port) does not answer metadata requests (\(error)):\n\(logTail())")
                }
                try await Task.sleep(for: .milliseconds(50))
            }
        }
    }

    // MARK: POSIX helpers

    /// A TCP port on 127.0.0.1 that was free a moment ago, picked at random below Linux's
    /// ephemeral range (32768–60999): a port the kernel hands out for port 0 comes from that
    /// range, where any process's next outgoing connection (librdkafka opens many) may take
    /// it before the service under test binds it.
    public static func freePort() throws -> Int {
        for _ in 0..<200 {
            let candidate = Int.random(in: 20_000..<32_000)
            if (try? bindable(port: candidate)) == true { return candidate }
        }
        throw LocalBrokerError("no free port found in 20000..<32000")
    }

    /// Whether 127.0.0.1:`port` can be bound now.
    private static func bindable(port: Int) throws -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw LocalBrokerError("socket() failed: errno \(errno)") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        return bound == 0
    }

    private static func canConnect(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        return result == 0
    }

    private static func spawn(_ path: String, arguments: [String], logPath: String) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, logPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) } + [nil]
        defer { for arg in argv { free(arg) } }
        // The child must not inherit a blocked/ignored SIGTERM from the test process's thread
        // (it would then ignore `stop()`): empty signal mask, default SIGTERM/SIGINT handling.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var emptyMask = sigset_t()
        sigemptyset(&emptyMask)
        var defaultSignals = sigset_t()
        sigemptyset(&defaultSignals)
        sigaddset(&defaultSignals, SIGTERM)
        sigaddset(&defaultSignals, SIGINT)
        posix_spawnattr_setsigmask(&attributes, &emptyMask)
        posix_spawnattr_setsigdefault(&attributes, &defaultSignals)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var pid: pid_t = 0
        let result = posix_spawn(&pid, path, &actions, &attributes, argv, environ)
        guard result == 0 else { throw LocalBrokerError("posix_spawn \(path) failed: \(String(cString: strerror(result)))") }
        return pid
    }
}

/// Why a local broker could not be started.
public struct LocalBrokerError: Error, CustomStringConvertible {
    /// What went wrong (with the end of Tansu's log where useful).
    public let description: String
    let retryable: Bool
    init(retryable: Bool = false, _ description: String) {
        self.description = description
        self.retryable = retryable
    }
}

/// Starts the process-wide broker once; concurrent callers share the same start.
private final class SharedBrokerBox: Sendable {
    private let task = Mutex<Task<LocalBroker, Error>?>(nil)

    func get() async throws -> LocalBroker {
        let task = self.task.withLock { task in
            if let task { return task }
            let newTask = Task { () throws -> LocalBroker in
                let broker = try await LocalBroker.start()
                sharedBrokerPID.store(broker.pidForExitHandler, ordering: .relaxed)
                atexit { killSharedBroker() }
                return broker
            }
            task = newTask
            return newTask
        }
        return try await task.value
    }
}

private let sharedBrokerPID = Atomic<Int32>(0)

private func killSharedBroker() {
    let pid = sharedBrokerPID.load(ordering: .relaxed)
    if pid > 0 { kill(pid, SIGKILL) }
}

extension LocalBroker {
    fileprivate var pidForExitHandler: Int32 { pid }
}
