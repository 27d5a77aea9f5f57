import ArgumentParser
import Foundation
import OrderModel
import ServiceKit
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `orderctl parked list|redrive|discard`: the outbox rows a service parked because the
/// broker refuses them for good (see the README, Operations), through that service's
/// HTTP port (`GET /parked`, `POST /parked/redrive`, `POST /parked/discard`).
struct Parked: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List, re-drive or discard a service's parked outbox rows (rows the broker refused for good).",
        subcommands: [List.self, Redrive.self, Discard.self])

    struct ServiceAddress: ParsableArguments {
        @Option(help: "The service's HTTP address (its ops port), e.g. http://127.0.0.1:8083.")
        var service: String = "http://127.0.0.1:8081"

        /// Calls `path` with `method`; throws with the service's answer unless it is 2xx.
        func call(_ method: String, _ path: String) async throws -> Data {
            guard let url = URL(string: service.trimmingCharacters(in: CharacterSet(charactersIn: "/")) + path) else {
                throw ValidationError("not a URL: \(service)")
            }
            var request = URLRequest(url: url)
            request.httpMethod = method
            request.timeoutInterval = 300
            let (data, response) = try await URLSession.shared.data(for: request)
            let status = (response as? HTTPURLResponse)?.statusCode ?? 0
            guard (200..<300).contains(status) else {
                throw ValidationError("\(method) \(url) answered \(status): \(String(decoding: data.prefix(500), as: UTF8.self))")
            }
            return data
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the parked rows, oldest first, with the reason.")
        @OptionGroup var address: ServiceAddress

        func run() async throws {
            let listing = try OrderFlowJSON.decode(ParkedListing.self, from: try await address.call("GET", "/parked"))
            print("\(listing.count) parked")
            for row in listing.rows {
                let behind = row.heldBehind.map { " behind \($0)" } ?? ""
                print("\(row.sequence) \(row.parkedAt) \(row.topic) key=\(row.key ?? "-") \(row.eventType ?? "-") \(row.bytes) bytes: \(row.reason)\(behind) — \(row.detail)")
            }
        }
    }

    struct Redrive: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Publish parked rows again, in order: one row and the other parked rows of its key, or all.")
        @OptionGroup var address: ServiceAddress
        @Option(help: "The parked row's sequence (from `orderctl parked list`); without it, every parked row.")
        var sequence: Int64?

        func run() async throws {
            let path = sequence.map { "/parked/redrive?sequence=\($0)" } ?? "/parked/redrive"
            let report = try OrderFlowJSON.decode(RedriveReport.self, from: try await address.call("POST", path))
            print("re-driven: \(report.redriven.count) \(report.redriven); parked again: \(report.parkedAgain.count) \(report.parkedAgain)")
            if !report.parkedAgain.isEmpty { throw ExitCode(2) }
        }
    }

    struct Discard: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete one parked row for good (it is never published).")
        @OptionGroup var address: ServiceAddress
        @Option(help: "The parked row's sequence (from `orderctl parked list`).") var sequence: Int64

        func run() async throws {
            _ = try await address.call("POST", "/parked/discard?sequence=\(sequence)")
            print("discarded \(sequence)")
        }
    }
}
