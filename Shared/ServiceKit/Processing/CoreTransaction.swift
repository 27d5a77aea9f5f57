import Foundation

/// One write transaction of the processing core, as the inbox loop and the timer both run
/// it: the outbox rows published since the last commit are deleted first (so publishing
/// costs no commit of its own), the body works on a `BatchState` (write-back cache, master
/// data from memory, decoded records shared across batches), the state is flushed and the
/// commit ticket taken last. If anything fails, what was taken is given back: the published
/// rows for the next transaction, the ticket to the publisher, and the shared record cache
/// is cleared (it may hold what did not commit).
struct CoreTransaction: Sendable {
    let database: any ServiceDatabase
    let publisher: OutboxPublisher
    let masterData: MasterDataCopy?
    let records: RecordCache?

    /// Runs `body` in one transaction; returns its result and the commit ticket under which
    /// the rows it wrote are to be published (`OutboxPublisher.publish(_:ticket:)`).
    func run<T: Sendable>(_ body: @escaping @Sendable (BatchState) throws -> T) async throws -> (result: T, ticket: UInt64) {
        let masterData = self.masterData?.snapshot ?? .empty
        let records = self.records
        let published = publisher.publishedRows.take()
        let tickets = publisher.tickets
        let claim = TicketClaim()
        do {
            return try await database.write { tx in
                try tx.deletePublished(published)
                let state = BatchState(tx, masterData: masterData, shared: records)
                let result = try body(state)
                try state.flush()
                return (result, claim.take(from: tickets))
            }
        } catch {
            publisher.publishedRows.restore(published)
            records?.invalidateAll()
            if let ticket = claim.value { await publisher.skip(ticket) }
            throw error
        }
    }
}
