import Foundation
import Hummingbird
import Logging
import Metrics
import Prometheus
import ServiceLifecycle

/// The operations endpoints of a service, on its HTTP port:
/// - `GET /health`: the process is alive (always 200 while it serves).
/// - `GET /ready`: 200 when the database is open, master data caught up, the consumer
///   joined and healthy and the producer healthy; 503 otherwise, the body naming each
///   failing check and why (`"failing":{"producer":"fatal error: …"}`).
/// - `GET /metrics`: Prometheus text format; `orderflow_ready{service}` is the `/ready`
///   verdict (1 or 0) at the moment of the scrape, for alerting.
/// - `GET /parked`, `POST /parked/redrive`, `POST /parked/discard`: outbox rows the broker
///   refuses for good, for an operator to list, re-drive or discard (`ParkedRoutes`).
/// - extra read-only routes a department adds (e.g. the warehouse's `/stock`), and routes a
///   service registers itself (`routes`: any method, with the request; e.g. tracking's API).
public enum OpsHTTPServer {
    /// A read-only JSON endpoint a department adds to its HTTP port.
    public struct ExtraRoute: Sendable {
        public var path: String
        public var body: @Sendable () async throws -> Data
        public init(path: String, body: @escaping @Sendable () async throws -> Data) {
            self.path = path
            self.body = body
        }
    }

    public static func make(host: String, port: Int, service: String, readiness: Readiness,
                            registry: PrometheusCollectorRegistry, publisher: OutboxPublisher? = nil,
                            database: (any ServiceDatabase)? = nil, extraRoutes: [ExtraRoute] = [],
                            routes: (Router<BasicRequestContext>) -> Void = { _ in },
                            logger: Logger) -> some Service {
        let router = Router()
        router.get("/health") { _, _ in
            json(.ok, #"{"status":"ok","service":"\#(service)"}"#)
        }
        router.get("/ready") { _, _ in
            let checks = readiness.report
            let ready = checks.allSatisfy(\.ok)
            return json(ready ? .ok : .serviceUnavailable, Readiness.responseBody(service: service, checks: checks))
        }
        let readyGauge = Gauge(label: "orderflow_ready", dimensions: [("service", service)])
        router.get("/metrics") { _, _ in
            readyGauge.record(readiness.isReady ? 1 : 0)
            var buffer: [UInt8] = []
            registry.emit(into: &buffer)
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                            body: ResponseBody(byteBuffer: ByteBuffer(bytes: buffer)))
        }
        if let publisher, let database { ParkedRoutes.add(to: router, publisher: publisher, database: database) }
        for route in extraRoutes {
            router.get(RouterPath(route.path)) { _, _ in
                let data = try await route.body()
                return Response(status: .ok, headers: [.contentType: "application/json"],
                                body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
            }
        }
        routes(router)
        return Application(router: router, configuration: .init(address: .hostname(host, port: port), serverName: "orderflow-\(service)"),
                           logger: logger)
    }

    private static func json(_ status: HTTPResponse.Status, _ text: String) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}
