import Foundation
import OrderModel
import DepartmentKit

/// What the policy checks found: every failure, and facts for the status details.
struct PolicyFindings {
    var reasons: [Reason] = []
    var details: [String: String] = [:]
}

/// Review's checks of an order, all run and all failures collected: the customer may
/// still buy, no line is priced below the product's floor price, the customer's open
/// exposure plus this order stays within the credit limit, and made-to-order lines can be
/// made by the requested delivery date. Lines in stock are the warehouse's business.
struct PolicyCheck {
    let state: any StateStore
    let today: LocalDate

    /// Checks `order` for `customer` (nil when no longer in master data). The order's own
    /// exposure must not be counted in the customer's exposure at this point.
    func check(_ order: Order, customer: CustomerRecord?) throws -> PolicyFindings {
        var findings = PolicyFindings()
        checkCustomer(order, customer, &findings)
        try checkPrices(order, &findings)
        if let customer { try checkCredit(order, customer, &findings) }
        checkDeliveryDate(order, &findings)
        return findings
    }

    /// Master data may have changed since intake: an unknown, inactive or blocked
    /// customer cannot be approved.
    private func checkCustomer(_ order: Order, _ customer: CustomerRecord?, _ findings: inout PolicyFindings) {
        guard let customer, customer.active != false else {
            findings.reasons.append(Reason(.unknownCustomer, "customer \(order.customerId) is no longer known or active"))
            return
        }
        if customer.blocked {
            findings.reasons.append(Reason(.customerBlocked, "customer \(order.customerId) is blocked"))
        }
    }

    /// `price_below_policy` for every line under the product's floor price.
    private func checkPrices(_ order: Order, _ findings: inout PolicyFindings) throws {
        for line in order.lines {
            let label = "line \(line.lineNumber)"
            guard let product = try state.product(line.sku) else {
                findings.reasons.append(Reason(.unknownSKU, "\(label): SKU \(line.sku) is no longer in master data; its floor price cannot be checked"))
                continue
            }
            guard product.currency == order.currency else {
                findings.reasons.append(Reason(.currencyMismatch, "\(label): SKU \(line.sku) is priced in \(product.currency), the order in \(order.currency)"))
                continue
            }
            let floor = Money(product.floorPrice.value, order.currency)
            if line.unitPrice < floor {
                findings.reasons.append(Reason(.priceBelowPolicy,
                    "\(label): SKU \(line.sku) at \(line.unitPrice) is below the floor price \(floor) (list \(line.listPrice))"))
            }
        }
        if findings.reasons.contains(where: { $0.code == .priceBelowPolicy }) {
            findings.details["maxDiscountPercent"] = DiscountDepth.formatted(order)
        }
    }

    /// `credit_limit_exceeded` when open exposure + order gross > credit limit.
    private func checkCredit(_ order: Order, _ customer: CustomerRecord, _ findings: inout PolicyFindings) throws {
        guard customer.currency == order.currency else {
            findings.reasons.append(Reason(.currencyMismatch,
                "order currency \(order.currency) differs from customer \(customer.customerId)'s currency \(customer.currency); credit cannot be checked"))
            return
        }
        let stored = try state.get(CustomerExposure.self, customer.customerId.rawValue)?.amount
        let exposure = stored.flatMap { $0.currency == order.currency ? $0 : nil } ?? .zero(order.currency)
        let limit = customer.creditLimitMoney
        let gross = order.totals.gross
        if limit < exposure + gross {
            findings.reasons.append(Reason(.creditLimitExceeded,
                "open exposure \(exposure) + this order \(gross) exceeds the credit limit \(limit)"))
            findings.details["openExposure"] = exposure.amountString
            findings.details["creditLimit"] = limit.amountString
        }
    }

    /// `delivery_date_infeasible` when the requested date is before today + the longest
    /// lead time of the made-to-order lines (or simply in the past).
    private func checkDeliveryDate(_ order: Order, _ findings: inout PolicyFindings) {
        guard let requested = order.requestedDeliveryDate else { return }
        let leadTime = order.lines.filter(\.madeToOrder).map(\.leadTimeDays).max() ?? 0
        let earliest = today.adding(days: leadTime)
        if requested < earliest {
            let why = leadTime > 0 ? "made-to-order lines need \(leadTime) days" : "it is in the past"
            findings.reasons.append(Reason(.deliveryDateInfeasible,
                "requested delivery date \(requested) is before \(earliest): \(why)"))
            findings.details["earliestDeliveryDate"] = earliest.description
        }
    }
}
