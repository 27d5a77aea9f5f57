import OrderModel

/// Units of one SKU.
public struct StockQuantity: Codable, Sendable, Hashable {
    public var sku: SKU
    public var quantity: Int

    public init(sku: SKU, quantity: Int) {
        self.sku = sku
        self.quantity = quantity
    }
}

/// What an order needs from the shelves: its quantities added up per SKU (several lines
/// of one SKU count together), in SKU order.
public struct StockDemand: Codable, Sendable, Hashable {
    public var items: [StockQuantity]

    public init(items: [StockQuantity]) { self.items = items }

    /// Nothing at all: what an order that holds no stock has reserved.
    public static let none = StockDemand(items: [])

    public init(order: Order) {
        var totals: [SKU: Int] = [:]
        for line in order.lines { totals[line.sku, default: 0] += line.quantity }
        items = totals.keys.sorted().map { StockQuantity(sku: $0, quantity: totals[$0]!) }
    }

    public var isEmpty: Bool { items.isEmpty }
}

/// A SKU an order needs more of than is available.
struct Shortage: Hashable {
    var sku: SKU
    var needed: Int
    var available: Int

    var quantityShort: Int { needed - available }
}
