import Foundation
import OrderModel
import Synchronization
import TrackingRules

/// The page's KPIs, computed at most once per period every `maxAge`: the page shows them on
/// every load, and a period's KPIs read every order of the period. Bounded (`capacity`
/// periods). `GET /kpis` computes afresh: whoever asks for it asks for that work.
final class KPICache: Sendable {
    private struct Entry: Sendable {
        var computedAt: ContinuousClock.Instant
        var kpis: TrackingKPIs
    }

    private let entries = Mutex<[String: Entry]>([:])
    let maxAge: Duration
    let capacity: Int

    init(maxAge: Duration = .seconds(30), capacity: Int = 16) {
        self.maxAge = maxAge
        self.capacity = capacity
    }

    /// The cached KPIs of `from`…`to` if fresh enough, else `compute()`'s (then kept).
    func kpis(from: LocalDate, to: LocalDate, compute: () async throws -> TrackingKPIs) async throws -> TrackingKPIs {
        let key = "\(from)/\(to)"
        let now = ContinuousClock.now
        if let entry = entries.withLock({ $0[key] }), now - entry.computedAt < maxAge { return entry.kpis }
        let kpis = try await compute()
        entries.withLock { entries in
            if entries.count >= capacity { entries = entries.filter { now - $0.value.computedAt < maxAge } }
            if entries.count >= capacity { entries.removeAll() }
            entries[key] = Entry(computedAt: now, kpis: kpis)
        }
        return kpis
    }
}
