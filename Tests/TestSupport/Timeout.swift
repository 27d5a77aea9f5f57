import Foundation
import Synchronization

/// What `withTimeout` throws when time runs out.
public struct TimedOut: Error, CustomStringConvertible {
    public let description: String
}

/// Runs `body`, cancelling it and throwing `TimedOut` after `timeout`. Does not wait for a
/// body that ignores the cancellation (e.g. one stuck behind an unstructured task): a hung
/// operation fails the test instead of hanging it.
public func withTimeout<T: Sendable>(
    _ timeout: Duration, _ what: String, _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    let race = Race<T>()
    return try await withCheckedThrowingContinuation { (waiting: CheckedContinuation<T, any Error>) in
        race.start(waiting, work: Task {
            do { race.finish(.success(try await body())) } catch { race.finish(.failure(error)) }
        })
        Task {
            try? await Task.sleep(for: timeout)
            race.finish(.failure(TimedOut(description: "timed out after \(timeout): \(what)")))
        }
    }
}

/// The first of the body and the timer to finish resumes the caller; the timer cancels the body.
private final class Race<T: Sendable>: Sendable {
    private let state = Mutex<(waiting: CheckedContinuation<T, any Error>?, work: Task<Void, Never>?)>((nil, nil))

    func start(_ waiting: CheckedContinuation<T, any Error>, work: Task<Void, Never>) {
        state.withLock { $0 = (waiting, work) }
    }

    func finish(_ result: Result<T, any Error>) {
        let (waiting, work) = state.withLock { state in
            defer { state.waiting = nil }
            return (state.waiting, state.work)
        }
        guard let waiting else { return }
        waiting.resume(with: result)
        if case .failure(let error) = result, error is TimedOut { work?.cancel() }
    }
}
