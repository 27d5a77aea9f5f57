import Foundation
import OrderModel

/// One physical shipment of an order: the first one, or a replacement for one that was
/// damaged or lost.
public struct Shipment: Codable, Sendable, Hashable {
    /// Where the shipment stands.
    public enum Progress: String, Codable, Sendable, Hashable {
        /// With the carrier, not yet delivered.
        case underway
        /// Damaged or lost; a replacement shipment took its place.
        case replaced
        /// Damaged or lost; a claim with the carrier is open instead of a replacement.
        case claimed
        /// The carrier delivered it.
        case delivered
    }

    /// `SHP-<orderId>-<n>`.
    public var id: String
    /// 1 for the first shipment of the order, 2 for its first replacement, …
    public var number: Int
    public var carrier: Carrier
    public var trackingNumber: String
    public var shippedAt: Date
    /// The estimated delivery; moved by `delayed` scans.
    public var eta: Date
    /// The shipment this one replaces, if it is a replacement.
    public var replacementFor: String?
    public var progress: Progress = .underway
    /// An `in_transit` status was published for this shipment.
    public var reportedInTransit = false
    /// The ETAs announced by `delayed` scans that were published, in order.
    public var reportedDelays: [Date] = []
    /// The last `exception` scan published (kind and detail), to ignore repeats of it.
    public var reportedException: String?
    /// The scans the simulated carrier has already sent for this shipment (demo mode).
    public var simulatedScans: [ShipmentTrackingUpdated.Scan] = []

    public init(id: String, number: Int, carrier: Carrier, trackingNumber: String, shippedAt: Date, eta: Date,
                replacementFor: String? = nil) {
        self.id = id
        self.number = number
        self.carrier = carrier
        self.trackingNumber = trackingNumber
        self.shippedAt = shippedAt
        self.eta = eta
        self.replacementFor = replacementFor
    }

    /// The shipment id for the `number`th shipment of `orderId`.
    public static func id(orderId: OrderID, number: Int) -> String { "SHP-\(orderId.rawValue)-\(number)" }

    /// The carrier's prefix, the digits of the order id and the shipment number (two digits
    /// at least), e.g. `STD202600012301`.
    public static func trackingNumber(carrier: Carrier, orderId: OrderID, number: Int) -> String {
        let orderDigits = orderId.rawValue.filter(\.isNumber)
        let numberDigits = String(number)
        let padded = String(repeating: "0", count: max(0, 2 - numberDigits.count)) + numberDigits
        return carrier.trackingPrefix + orderDigits + padded
    }
}
