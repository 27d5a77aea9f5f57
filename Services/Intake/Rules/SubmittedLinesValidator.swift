import Foundation
import OrderModel
import DepartmentKit

/// Checks the submitted lines: at least one; each with a known, active SKU sold in the
/// order's currency, an integer quantity > 0 and a unit price given as a decimal string ≥ 0.
struct SubmittedLinesValidator {
    let state: any StateStore

    /// The checked lines, or nil when any problem was found (all are added to `reasons`).
    func validate(_ lines: [OrderSubmission.Line]?, currency: String?,
                  _ reasons: inout [Reason]) throws -> [ValidSubmission.Line]? {
        guard let lines, !lines.isEmpty else {
            reasons.append(Reason(.invalidSubmission, "lines are missing: an order needs at least one line"))
            return nil
        }
        var valid: [ValidSubmission.Line] = []
        for (index, line) in lines.enumerated() {
            let label = "line \(index + 1)"
            let product = try checkProduct(line.sku, currency: currency, label: label, &reasons)
            let quantity = checkQuantity(line.quantity, label: label, &reasons)
            let unitPrice = checkUnitPrice(line.unitPrice, label: label, &reasons)
            if let product, let quantity, let unitPrice {
                valid.append(.init(sku: product.sku, quantity: quantity, unitPrice: unitPrice, product: product))
            }
        }
        return valid.count == lines.count ? valid : nil
    }

    private func checkProduct(_ sku: String?, currency: String?, label: String,
                              _ reasons: inout [Reason]) throws -> ProductRecord? {
        guard let sku = sku?.trimmed, !sku.isEmpty else {
            reasons.append(Reason(.invalidSubmission, "\(label): sku is missing"))
            return nil
        }
        guard let product = try state.product(SKU(sku)) else {
            reasons.append(Reason(.unknownSKU, "\(label): SKU \(sku) is not known"))
            return nil
        }
        guard product.active else {
            reasons.append(Reason(.unknownSKU, "\(label): SKU \(sku) is inactive (no longer sold)"))
            return nil
        }
        if let currency, product.currency != currency {
            reasons.append(Reason(.currencyMismatch,
                                  "\(label): SKU \(sku) is priced in \(product.currency), the order in \(currency)"))
            return nil
        }
        return product
    }

    private func checkQuantity(_ quantity: JSONValue?, label: String, _ reasons: inout [Reason]) -> Int? {
        guard let value = quantity?.intValue, value > 0 else {
            reasons.append(Reason(.invalidQuantity,
                                  "\(label): quantity must be an integer greater than 0, got \(Self.describe(quantity))"))
            return nil
        }
        return value
    }

    private func checkUnitPrice(_ price: JSONValue?, label: String, _ reasons: inout [Reason]) -> Decimal? {
        guard let text = price?.stringValue, let value = ExactDecimal.parse(text), value >= 0 else {
            reasons.append(Reason(.invalidSubmission,
                                  "\(label): unitPrice must be a decimal string ≥ 0 such as \"1180.00\", got \(Self.describe(price))"))
            return nil
        }
        return value
    }

    /// A submitted JSON value as the channel wrote it, for messages.
    static func describe(_ value: JSONValue?) -> String {
        switch value {
        case nil, .null?: "nothing"
        case .string(let text)?: "\"\(text)\""
        case .number(let number)?: ExactDecimal.plain(number)
        case .bool(let flag)?: String(flag)
        case .array?: "a list"
        case .object?: "an object"
        }
    }
}
