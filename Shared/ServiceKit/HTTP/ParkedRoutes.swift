import Foundation
import Hummingbird
import OrderModel

/// The operator's endpoints for parked outbox rows (rows the broker refuses for good, see
/// `OutboxPublisher`), on the service's HTTP port; `orderctl parked` calls them:
/// - `GET /parked`: every parked row, oldest first, without its value (`ParkedListing`);
/// - `POST /parked/redrive[?sequence=N]`: publish them again (row N and every other parked
///   row of its key, or all), in order; answers which were re-driven and which were parked again;
/// - `POST /parked/discard?sequence=N`: delete row N for good (404 when there is none).
enum ParkedRoutes {
    static func add(to router: Router<BasicRequestContext>, publisher: OutboxPublisher, database: any ServiceDatabase) {
        router.get("/parked") { _, _ in
            let rows = try await database.parkedRows(limit: 10_000)
            return try json(.ok, ParkedListing(count: rows.count, rows: rows.map(ParkedListing.Row.init)))
        }
        router.post("/parked/redrive") { request, _ in
            let sequence = try sequenceParameter(request, required: false)
            let result = try await publisher.redrive(sequence: sequence)
            return try json(.ok, RedriveReport(redriven: result.redriven, parkedAgain: result.parkedAgain))
        }
        router.post("/parked/discard") { request, _ in
            guard let sequence = try sequenceParameter(request, required: true) else { throw HTTPError(.badRequest) }
            let discarded = try await publisher.discard(sequence: sequence)
            return try json(discarded ? .ok : .notFound, ["discarded": discarded ? [sequence] : []])
        }
    }

    private static func sequenceParameter(_ request: Request, required: Bool) throws -> Int64? {
        guard let text = request.uri.queryParameters["sequence"] else {
            if required { throw HTTPError(.badRequest, message: "sequence=<outbox sequence> is required") }
            return nil
        }
        guard let sequence = Int64(String(text)) else { throw HTTPError(.badRequest, message: "sequence must be a whole number") }
        return sequence
    }

    private static func json(_ status: HTTPResponse.Status, _ value: some Encodable) throws -> Response {
        Response(status: status, headers: [.contentType: "application/json"],
                 body: ResponseBody(byteBuffer: ByteBuffer(bytes: try OrderFlowJSON.encode(value))))
    }
}

/// `GET /parked`: what is parked and why.
public struct ParkedListing: Codable, Sendable {
    public struct Row: Codable, Sendable {
        public var sequence: Int64
        public var topic: String
        public var key: String?
        /// Size of the value left out of this listing, in bytes.
        public var bytes: Int
        public var eventType: String?
        public var eventId: String?
        public var reason: String
        public var detail: String
        public var parkedAt: String
        public var heldBehind: Int64?

        init(_ row: ParkedRow) {
            sequence = row.message.sequence
            topic = row.message.topic
            key = row.message.key.map { String(decoding: $0.prefix(500), as: UTF8.self) }
            bytes = row.message.value?.count ?? 0
            let event = CloudEventsKafka.idAndType(ofEnvelope: row.message.value)
            eventType = event?.type
            eventId = event?.id
            reason = row.reason
            detail = row.detail
            parkedAt = Timestamp.format(row.parkedAt)
            heldBehind = row.heldBehind
        }
    }

    public var count: Int
    public var rows: [Row]
}

/// `POST /parked/redrive`: the sequences re-driven, and those the broker refused again.
public struct RedriveReport: Codable, Sendable {
    public var redriven: [Int64]
    public var parkedAgain: [Int64]
}
