import Foundation

/// An order as an e-commerce platform or sales tool publishes it on `orders.submitted`
/// (contract v1, `schemaVersion: 1`).
///
/// Read tolerantly: every field is optional here and keeps the JSON it came with, so that
/// intake can report *all* problems of a submission at once instead of failing on the
/// first. Unknown fields are ignored.
public struct OrderSubmission: Codable, Sendable, Hashable {
    /// Versions of the submission format this build understands.
    public static let supportedSchemaVersions: ClosedRange<Int> = 1...1

    public var schemaVersion: Int?
    public var channel: String?
    public var externalOrderId: String?
    public var submittedAt: String?
    public var customerId: String?
    public var currency: String?
    public var lines: [Line]?
    public var requestedDeliveryDate: String?
    public var shipTo: ShipTo?
    public var paymentTerms: String?
    public var shippingMethod: String?
    public var priority: String?
    public var notes: String?

    /// One submitted line, as sent.
    public struct Line: Codable, Sendable, Hashable {
        public var sku: String?
        /// Must be an integer > 0; kept as sent so `2.5` or `"3"` can be reported.
        public var quantity: JSONValue?
        /// Must be a decimal string; kept as sent so `12.5` (a number) can be reported.
        public var unitPrice: JSONValue?

        public init(sku: String?, quantity: JSONValue?, unitPrice: JSONValue?) {
            self.sku = sku
            self.quantity = quantity
            self.unitPrice = unitPrice
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            sku = try? c.decodeIfPresent(String.self, forKey: .sku)
            quantity = try? c.decodeIfPresent(JSONValue.self, forKey: .quantity)
            unitPrice = try? c.decodeIfPresent(JSONValue.self, forKey: .unitPrice)
        }
    }

    /// The ship-to block, as sent.
    public struct ShipTo: Codable, Sendable, Hashable {
        public var name, phone, line1, line2, city, region, postalCode, country: String?

        public init(name: String?, phone: String?, line1: String?, line2: String? = nil, city: String?,
                    region: String?, postalCode: String?, country: String?) {
            self.name = name
            self.phone = phone
            self.line1 = line1
            self.line2 = line2
            self.city = city
            self.region = region
            self.postalCode = postalCode
            self.country = country
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            name = try? c.decodeIfPresent(String.self, forKey: .name)
            phone = try? c.decodeIfPresent(String.self, forKey: .phone)
            line1 = try? c.decodeIfPresent(String.self, forKey: .line1)
            line2 = try? c.decodeIfPresent(String.self, forKey: .line2)
            city = try? c.decodeIfPresent(String.self, forKey: .city)
            region = try? c.decodeIfPresent(String.self, forKey: .region)
            postalCode = try? c.decodeIfPresent(String.self, forKey: .postalCode)
            country = try? c.decodeIfPresent(String.self, forKey: .country)
        }
    }

    public init(schemaVersion: Int? = 1, channel: String?, externalOrderId: String?, submittedAt: String? = nil,
                customerId: String?, currency: String?, lines: [Line]?, requestedDeliveryDate: String? = nil,
                shipTo: ShipTo?, paymentTerms: String? = nil, shippingMethod: String? = nil,
                priority: String? = nil, notes: String? = nil) {
        self.schemaVersion = schemaVersion
        self.channel = channel
        self.externalOrderId = externalOrderId
        self.submittedAt = submittedAt
        self.customerId = customerId
        self.currency = currency
        self.lines = lines
        self.requestedDeliveryDate = requestedDeliveryDate
        self.shipTo = shipTo
        self.paymentTerms = paymentTerms
        self.shippingMethod = shippingMethod
        self.priority = priority
        self.notes = notes
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        schemaVersion = try? c.decodeIfPresent(Int.self, forKey: .schemaVersion)
        channel = try? c.decodeIfPresent(String.self, forKey: .channel)
        externalOrderId = try? c.decodeIfPresent(String.self, forKey: .externalOrderId)
        submittedAt = try? c.decodeIfPresent(String.self, forKey: .submittedAt)
        customerId = try? c.decodeIfPresent(String.self, forKey: .customerId)
        currency = try? c.decodeIfPresent(String.self, forKey: .currency)
        lines = try? c.decodeIfPresent([Line].self, forKey: .lines)
        requestedDeliveryDate = try? c.decodeIfPresent(String.self, forKey: .requestedDeliveryDate)
        shipTo = try? c.decodeIfPresent(ShipTo.self, forKey: .shipTo)
        paymentTerms = try? c.decodeIfPresent(String.self, forKey: .paymentTerms)
        shippingMethod = try? c.decodeIfPresent(String.self, forKey: .shippingMethod)
        priority = try? c.decodeIfPresent(String.self, forKey: .priority)
        notes = try? c.decodeIfPresent(String.self, forKey: .notes)
    }

    /// Why a message on `orders.submitted` cannot be taken as a submission at all, and so
    /// goes to the dead letter instead of being rejected on `orders.status`.
    public struct UnreadableError: Error, Sendable, CustomStringConvertible {
        public var reason: String
        public var description: String { reason }
    }

    /// Reads the bytes of one `orders.submitted` message. Throws `UnreadableError` when
    /// the bytes are not a JSON object, the `schemaVersion` is missing or unknown, or the
    /// submission lacks the identity (`channel`, `externalOrderId`) that a rejection on
    /// `orders.status` would need. Everything else is left for intake's validation.
    public static func read(_ bytes: some Collection<UInt8>) throws(UnreadableError) -> OrderSubmission {
        let data = Data(bytes)
        // The common case in one pass: a well-formed submission of a supported version.
        // Anything else is read again below, so that the reason is the precise one.
        if let submission = try? OrderFlowJSON.decode(OrderSubmission.self, from: data),
           let version = submission.schemaVersion, supportedSchemaVersions.contains(version),
           let channel = submission.channel, !channel.isEmpty,
           let external = submission.externalOrderId, !external.isEmpty {
            return submission
        }
        guard let json = try? OrderFlowJSON.decoder.decode(JSONValue.self, from: data) else {
            throw UnreadableError(reason: "not_json: the value is not valid JSON")
        }
        guard case .object = json else { throw UnreadableError(reason: "invalid_shape: the value is not a JSON object") }
        guard let version = json["schemaVersion"]?.intValue else {
            throw UnreadableError(reason: "invalid_shape: schemaVersion is missing or not an integer")
        }
        guard supportedSchemaVersions.contains(version) else {
            throw UnreadableError(reason: "unsupported_schema_version: schemaVersion \(version) is not supported (this build reads \(supportedSchemaVersions.lowerBound)...\(supportedSchemaVersions.upperBound))")
        }
        guard let submission = try? OrderFlowJSON.decoder.decode(OrderSubmission.self, from: data) else {
            throw UnreadableError(reason: "invalid_shape: the value cannot be read as a submission")
        }
        guard let channel = submission.channel, !channel.isEmpty,
              let external = submission.externalOrderId, !external.isEmpty else {
            throw UnreadableError(reason: "invalid_shape: channel and externalOrderId are required to identify the order")
        }
        return submission
    }
}
