/// A product as published on `masterdata.products` (key = SKU; latest record wins).
public struct ProductRecord: Codable, Sendable, Hashable {
    public var schemaVersion: Int
    public var sku: SKU
    public var name: String
    public var currency: String
    public var listPrice: DecimalString
    public var floorPrice: DecimalString
    public var taxRate: DecimalString
    public var leadTimeDays: Int
    public var madeToOrder: Bool
    public var active: Bool
    /// Shipping weight per unit (addition to contract v1; optional).
    public var weightKg: DecimalString?

    public init(schemaVersion: Int = 1, sku: SKU, name: String, currency: String, listPrice: DecimalString,
                floorPrice: DecimalString, taxRate: DecimalString, leadTimeDays: Int, madeToOrder: Bool,
                active: Bool = true, weightKg: DecimalString? = nil) {
        self.schemaVersion = schemaVersion
        self.sku = sku
        self.name = name
        self.currency = currency
        self.listPrice = listPrice
        self.floorPrice = floorPrice
        self.taxRate = taxRate
        self.leadTimeDays = leadTimeDays
        self.madeToOrder = madeToOrder
        self.active = active
        self.weightKg = weightKg
    }
}

/// A customer as published on `masterdata.customers` (key = customer id).
public struct CustomerRecord: Codable, Sendable, Hashable {
    public var schemaVersion: Int
    public var customerId: CustomerID
    public var name: String
    public var currency: String
    public var creditLimit: DecimalString
    public var paymentTermsDays: Int
    /// `A`, `B` or `C`; `C` customers' orders always need a person's approval.
    public var tier: String
    public var region: String
    public var blocked: Bool
    /// Addition to contract v1: a customer marked inactive is treated as unknown.
    public var active: Bool?

    public init(schemaVersion: Int = 1, customerId: CustomerID, name: String, currency: String,
                creditLimit: DecimalString, paymentTermsDays: Int, tier: String, region: String,
                blocked: Bool = false, active: Bool? = nil) {
        self.schemaVersion = schemaVersion
        self.customerId = customerId
        self.name = name
        self.currency = currency
        self.creditLimit = creditLimit
        self.paymentTermsDays = paymentTermsDays
        self.tier = tier
        self.region = region
        self.blocked = blocked
        self.active = active
    }

    /// The credit limit as money in the customer's currency.
    public var creditLimitMoney: Money { Money(creditLimit.value, currency) }
}

/// The schema versions of master-data records this build understands.
public enum MasterDataSchema {
    public static let supportedVersions: ClosedRange<Int> = 1...1
}
