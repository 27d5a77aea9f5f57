import Foundation
import OrderModel

/// Master data as kept in `deploy/masterdata/*.json`: products, customers and opening
/// stock. Reads either a plain array of one kind of record or an object with
/// `products`, `customers` and/or `stock` arrays.
public struct MasterDataFile: Sendable {
    public var products: [ProductRecord] = []
    public var customers: [CustomerRecord] = []
    public var stock: [StockReceived] = []

    public init(products: [ProductRecord] = [], customers: [CustomerRecord] = [], stock: [StockReceived] = []) {
        self.products = products
        self.customers = customers
        self.stock = stock
    }

    /// Reads one file; throws with the file name and what is wrong.
    public static func read(_ url: URL) throws -> MasterDataFile {
        let data = try Data(contentsOf: url)
        let json = try OrderFlowJSON.decoder.decode(JSONValue.self, from: data)
        var file = MasterDataFile()
        func records(_ value: JSONValue) throws {
            for item in value.arrayValue ?? [] {
                if item["sku"] != nil && item["quantity"] != nil { file.stock.append(try item.decode(StockReceived.self)) }
                else if item["sku"] != nil { file.products.append(try item.decode(ProductRecord.self)) }
                else if item["customerId"] != nil { file.customers.append(try item.decode(CustomerRecord.self)) }
                else { throw CocoaError(.fileReadCorruptFile, userInfo: [NSLocalizedDescriptionKey: "\(url.lastPathComponent): a record is neither a product, a customer nor a stock receipt"]) }
            }
        }
        if case .array = json { try records(json) }
        else {
            for key in ["products", "customers", "stock"] { if let value = json[key] { try records(value) } }
        }
        return file
    }

    public mutating func merge(_ other: MasterDataFile) {
        products += other.products
        customers += other.customers
        stock += other.stock
    }
}

/// Generates realistic order submissions from master data, deterministically from a seed:
/// active, unblocked customers; 1–4 lines of active products priced between floor and
/// list price; delivery dates the lead times allow; ship-to addresses in the customer's
/// region. Used by `orderctl demo` and the end-to-end tests.
public struct DemoOrderGenerator: Sendable {
    public var products: [ProductRecord]
    public var customers: [CustomerRecord]
    public var channels = ["tmall-flagship", "jd-store", "sales-desk", "b2b-portal"]
    public var includeMadeToOrder: Bool
    /// Orders above this gross are avoided (so demo orders don't wait for a person).
    public var maxOrderValue: Decimal

    public init(products: [ProductRecord], customers: [CustomerRecord], includeMadeToOrder: Bool = false,
                maxOrderValue: Decimal = 80_000) {
        self.products = products.filter { $0.active && (includeMadeToOrder || !$0.madeToOrder) }
        self.customers = customers.filter { !$0.blocked && $0.active != false && $0.tier != "C" }
        self.includeMadeToOrder = includeMadeToOrder
        self.maxOrderValue = maxOrderValue
    }

    /// The `index`-th submission of a run identified by `runId`.
    public func submission(index: Int, runId: String, now: Date) -> OrderSubmission {
        var random = SplitMix64(seed: SplitMix64.stableSeed("\(runId)#\(index)"))
        let customer = customers[Int(random.next() % UInt64(customers.count))]
        let eligible = products.filter { $0.currency == customer.currency }
        var lines: [OrderSubmission.Line] = []
        var total = Decimal(0)
        let lineCount = 1 + Int(random.next() % 3)
        for sku in eligible.shuffled(using: &random).prefix(lineCount) {
            let price = sku.floorPrice.value + (sku.listPrice.value - sku.floorPrice.value) * Decimal(Int(random.next() % 100)) / 100
            let unit = ExactDecimal.round(price, scale: 2)
            let quantity = 1 + Int(random.next() % 4)
            let lineGross = unit * Decimal(quantity) * (1 + sku.taxRate.value)
            if total + lineGross > maxOrderValue && !lines.isEmpty { break }
            if lineGross > maxOrderValue { continue }
            total += lineGross
            lines.append(.init(sku: sku.sku.rawValue, quantity: .number(Decimal(quantity)), unitPrice: .string(ExactDecimal.format(unit, scale: 2))))
        }
        if lines.isEmpty, let cheapest = eligible.min(by: { $0.listPrice < $1.listPrice }) {
            lines.append(.init(sku: cheapest.sku.rawValue, quantity: .number(1), unitPrice: .string(ExactDecimal.format(cheapest.listPrice.value, scale: 2))))
        }
        let maxLead = eligible.filter { sku in lines.contains { $0.sku == sku.sku.rawValue } && sku.madeToOrder }.map(\.leadTimeDays).max() ?? 0
        let channel = channels[index % channels.count]
        return OrderSubmission(
            schemaVersion: 1, channel: channel, externalOrderId: "\(runId)-\(index)",
            submittedAt: Timestamp.format(now), customerId: customer.customerId.rawValue, currency: customer.currency,
            lines: lines, requestedDeliveryDate: LocalDate(now).adding(days: maxLead + 7 + Int(random.next() % 10)).description,
            shipTo: .init(name: customer.name, phone: "+86 21 5555 \(1000 + index % 9000)", line1: "\(index % 900 + 1) Industrial Road",
                          city: Self.city(for: customer.region), region: customer.region, postalCode: "200\(100 + index % 900)", country: "CN"),
            paymentTerms: "NET\(customer.paymentTermsDays)", shippingMethod: index % 5 == 0 ? "express" : "standard",
            priority: nil, notes: nil)
    }

    static func city(for region: String) -> String {
        ["East": "Shanghai", "North": "Beijing", "South": "Guangzhou", "West": "Chengdu", "Tibet": "Lhasa"][region] ?? "Wuhan"
    }
}

/// A small, fast, seedable random number generator (SplitMix64), so demo data is the same
/// for the same seed.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64
    public init(seed: UInt64) { state = seed }

    /// A seed derived from text, the same in every process (FNV-1a; Swift's `hashValue`
    /// is randomised per process).
    public static func stableSeed(_ text: String) -> UInt64 { StableHash.of(text) }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
