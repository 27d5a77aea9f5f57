import ArgumentParser
import Foundation
import OrderModel
import TrackingRules
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The tracking service's API, for `orderctl status` and `orderctl kpi`: used when it
/// answers, else those commands read `orders.status` as before (and say which they used).
struct TrackingOptions: ParsableArguments {
    @Option(help: "The tracking service's URL. Env ORDERFLOW_TRACKING_URL; default http://127.0.0.1:8086. 'none': read orders.status.")
    var trackingURL: String?

    var url: String {
        let text = trackingURL ?? ProcessInfo.processInfo.environment["ORDERFLOW_TRACKING_URL"] ?? "http://127.0.0.1:8086"
        return text.trimmingCharacters(in: CharacterSet(charactersIn: "/ "))
    }

    /// A client when the service answers its `/health` within two seconds, else nil.
    func reachable() async -> TrackingClient? {
        guard url != "none", let base = URL(string: url), base.scheme != nil else { return nil }
        let client = TrackingClient(base: url)
        guard let (status, _) = try? await client.get("/health"), status == 200 else { return nil }
        return client
    }

    /// Says on standard error where the answer comes from (standard output stays the answer).
    static func source(_ text: String) {
        FileHandle.standardError.write(Data("(source: \(text))\n".utf8))
    }
}

struct TrackingClient {
    let base: String

    /// GET `path`: the status code and the body.
    func get(_ path: String) async throws -> (Int, Data) {
        guard let url = URL(string: base + path) else { throw ValidationError("not a URL: \(base + path)") }
        var request = URLRequest(url: url)
        request.timeoutInterval = 2
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, data)
    }

    /// The order by id or by `channel:externalOrderId` (every order with that pair).
    func orders(matching text: String) async throws -> [TrackedOrder] {
        let (status, data) = try await get("/orders/" + escaped(text))
        if status == 200 { return [try OrderFlowJSON.decode(TrackedOrder.self, from: data)] }
        guard let colon = text.firstIndex(of: ":") else { return [] }
        let channel = String(text[..<colon]), external = String(text[text.index(after: colon)...])
        let (listStatus, listData) = try await get("/orders?channel=\(escaped(channel))&externalOrderId=\(escaped(external))")
        guard listStatus == 200 else { return [] }
        var found: [TrackedOrder] = []
        for summary in try OrderFlowJSON.decode(Page<OrderSummary>.self, from: listData).items {
            let (orderStatus, orderData) = try await get("/orders/" + escaped(summary.orderId))
            if orderStatus == 200 { found.append(try OrderFlowJSON.decode(TrackedOrder.self, from: orderData)) }
        }
        return found
    }

    func kpis(from: LocalDate?, to: LocalDate?) async throws -> TrackingKPIs {
        let query = [from.map { "from=\($0)" }, to.map { "to=\($0)" }].compactMap { $0 }.joined(separator: "&")
        let (status, data) = try await get("/kpis" + (query.isEmpty ? "" : "?" + query))
        guard status == 200 else { throw ValidationError("GET \(base)/kpis answered \(status): \(String(decoding: data.prefix(300), as: UTF8.self))") }
        return try OrderFlowJSON.decode(TrackingKPIs.self, from: data)
    }

    private func escaped(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}

/// A timeline entry as `orderctl status` prints it (the same line for either source).
func statusLine(_ order: TrackedOrder, _ entry: TimelineEntry) -> String {
    var text = "\(Timestamp.format(entry.at))  \(entry.type)  \(order.orderId) \(order.channel):\(order.externalOrderId)"
    if entry.type == OrderStatusChanged.eventType {
        text += " → \(entry.status) [\(entry.department ?? "")]"
    } else {
        text += " (\(entry.status)) \(entry.note ?? "")"
    }
    if let reasons = entry.reasons, !reasons.isEmpty { text += " reasons: " + reasons.map { "\($0.code) (\($0.message))" }.joined(separator: "; ") }
    if let details = entry.details, !details.isEmpty { text += " " + details.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ") }
    return text
}
