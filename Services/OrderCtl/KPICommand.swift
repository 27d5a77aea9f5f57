import ArgumentParser
import DemoKit
import Foundation
import Kafka
import OrderModel

/// `orderctl kpi`: the process KPIs computed from the status feed: fulfilment rate,
/// on-time delivery rate and cycle time per stage.
struct KPI: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "kpi", abstract: "Compute KPIs (fulfilment, on-time rate, cycle time per stage) from orders.status.")

    @OptionGroup var connection: ConnectionOptions

    func run() async throws {
        var history: [String: [OrderStatusChanged]] = [:]
        let reader = TopicReader(consumer: try connection.reader([.status]))
        try await reader.read(follow: false) { message in
            if let value = message.value, let (_, payload) = try? EventRegistry.standard.decodeForProcessing(Data(value)),
               let change = payload as? OrderStatusChanged {
                history[change.orderId.rawValue, default: []].append(change)
            }
            return true
        }
        print(KPIReport(history: history).text)
    }
}
