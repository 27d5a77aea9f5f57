/// A ship-to address as submitted by the channel.
public struct Address: Codable, Sendable, Hashable {
    public var name: String
    public var phone: String?
    public var line1: String
    public var line2: String?
    public var city: String
    public var region: String
    public var postalCode: String
    public var country: String

    public init(name: String, phone: String? = nil, line1: String, line2: String? = nil, city: String,
                region: String, postalCode: String, country: String) {
        self.name = name
        self.phone = phone
        self.line1 = line1
        self.line2 = line2
        self.city = city
        self.region = region
        self.postalCode = postalCode
        self.country = country
    }
}
