import Foundation

/// The identity every event about an order carries, so any department can publish a
/// status event without looking anything up: order number plus the channel's own id.
public struct OrderRef: Codable, Sendable, Hashable {
    public var orderId: OrderID
    public var channel: String
    public var externalOrderId: String

    public init(orderId: OrderID, channel: String, externalOrderId: String) {
        self.orderId = orderId
        self.channel = channel
        self.externalOrderId = externalOrderId
    }

    /// `channel:externalOrderId`, the correlation id of every event about the order.
    public var correlationId: String { "\(channel):\(externalOrderId)" }
}

/// One priced line of an accepted order. Prices and tax are fixed at intake from the
/// submission and the product master data of that moment.
public struct OrderLine: Codable, Sendable, Hashable {
    public var lineNumber: Int
    public var sku: SKU
    public var quantity: Int
    public var unitPrice: Money
    /// The product's list price at intake, to record how deep the discount is.
    public var listPrice: Money
    public var taxRate: DecimalString
    public var madeToOrder: Bool
    public var leadTimeDays: Int
    public var weightKg: DecimalString?

    public init(lineNumber: Int, sku: SKU, quantity: Int, unitPrice: Money, listPrice: Money,
                taxRate: DecimalString, madeToOrder: Bool, leadTimeDays: Int, weightKg: DecimalString? = nil) {
        self.lineNumber = lineNumber
        self.sku = sku
        self.quantity = quantity
        self.unitPrice = unitPrice
        self.listPrice = listPrice
        self.taxRate = taxRate
        self.madeToOrder = madeToOrder
        self.leadTimeDays = leadTimeDays
        self.weightKg = weightKg
    }

    /// Quantity × unit price, exact.
    public var net: Money { unitPrice.times(quantity) }
    /// Tax on the line, rounded to the minor unit (tax is rounded per line).
    public var tax: Money { net.times(taxRate.value).rounded }
    /// Net plus tax.
    public var total: Money { net + tax }
}

/// Net, tax and gross amounts of a set of lines.
public struct Totals: Codable, Sendable, Hashable {
    public var net: Money
    public var tax: Money
    public var gross: Money

    public init(lines: [OrderLine], currency: String) {
        net = Money.sum(lines.map(\.net), currency: currency).rounded
        tax = Money.sum(lines.map(\.tax), currency: currency)
        gross = net + tax
    }

    /// Totals as stored (read back from JSON).
    init(net: Money, tax: Money, gross: Money) {
        self.net = net
        self.tax = tax
        self.gross = gross
    }
}

/// An order accepted by intake: validated, numbered, priced and prioritised. This is what
/// travels from department to department.
public struct Order: Codable, Sendable, Hashable {
    public var id: OrderID
    public var channel: String
    public var externalOrderId: String
    public var customerId: CustomerID
    public var customerTier: String
    public var customerRegion: String?
    public var currency: String
    public var lines: [OrderLine]
    public var shipTo: Address
    public var requestedDeliveryDate: LocalDate?
    public var paymentTerms: String?
    public var paymentTermsDays: Int
    public var shippingMethod: String
    public var priority: Priority
    public var notes: String?
    public var submittedAt: Date?
    public var receivedAt: Date
    public var totals: Totals

    public init(id: OrderID, channel: String, externalOrderId: String, customerId: CustomerID,
                customerTier: String, customerRegion: String?, currency: String, lines: [OrderLine],
                shipTo: Address, requestedDeliveryDate: LocalDate?, paymentTerms: String?,
                paymentTermsDays: Int, shippingMethod: String, priority: Priority, notes: String?,
                submittedAt: Date?, receivedAt: Date) {
        self.init(id: id, channel: channel, externalOrderId: externalOrderId, customerId: customerId, customerTier: customerTier,
                  customerRegion: customerRegion, currency: currency, lines: lines, shipTo: shipTo,
                  requestedDeliveryDate: requestedDeliveryDate, paymentTerms: paymentTerms, paymentTermsDays: paymentTermsDays,
                  shippingMethod: shippingMethod, priority: priority, notes: notes, submittedAt: submittedAt,
                  receivedAt: receivedAt, totals: Totals(lines: lines, currency: currency))
    }

    /// Every stored property as given (an order read back, totals included).
    init(id: OrderID, channel: String, externalOrderId: String, customerId: CustomerID,
         customerTier: String, customerRegion: String?, currency: String, lines: [OrderLine],
         shipTo: Address, requestedDeliveryDate: LocalDate?, paymentTerms: String?,
         paymentTermsDays: Int, shippingMethod: String, priority: Priority, notes: String?,
         submittedAt: Date?, receivedAt: Date, totals: Totals) {
        self.id = id
        self.channel = channel
        self.externalOrderId = externalOrderId
        self.customerId = customerId
        self.customerTier = customerTier
        self.customerRegion = customerRegion
        self.currency = currency
        self.lines = lines
        self.shipTo = shipTo
        self.requestedDeliveryDate = requestedDeliveryDate
        self.paymentTerms = paymentTerms
        self.paymentTermsDays = paymentTermsDays
        self.shippingMethod = shippingMethod
        self.priority = priority
        self.notes = notes
        self.submittedAt = submittedAt
        self.receivedAt = receivedAt
        self.totals = totals
    }

    /// The order's identity for events.
    public var ref: OrderRef { OrderRef(orderId: id, channel: channel, externalOrderId: externalOrderId) }

    /// Replaces the lines and recomputes the totals.
    public mutating func replaceLines(_ newLines: [OrderLine]) {
        lines = newLines
        totals = Totals(lines: newLines, currency: currency)
    }

    /// Whether any line must be made (or bought) to order.
    public var hasMadeToOrderLines: Bool { lines.contains(where: \.madeToOrder) }

    /// Total weight where every line's product has a weight; nil otherwise.
    public var weightKg: Decimal? {
        var total = Decimal(0)
        for line in lines {
            guard let weight = line.weightKg else { return nil }
            total += weight.value * Decimal(line.quantity)
        }
        return total
    }
}
