import Foundation
import OrderModel
import DepartmentKit

/// Checks a submission against the contract and master data, collecting ALL problems so
/// the channel can fix them in one go (several reasons of one code are fine).
struct SubmissionValidator {
    let state: any StateStore

    func validate(_ submission: OrderSubmission) throws -> SubmissionVerdict {
        var reasons: [Reason] = []
        let customer = try checkCustomer(submission.customerId, &reasons)
        let currency = checkCurrency(submission.currency, customer: customer, &reasons)
        let shipTo = checkShipTo(submission.shipTo, &reasons)
        let requestedDeliveryDate = checkDeliveryDate(submission.requestedDeliveryDate, &reasons)
        let submittedAt = checkSubmittedAt(submission.submittedAt, &reasons)
        let priority = checkPriority(submission.priority, &reasons)
        let lines = try SubmittedLinesValidator(state: state).validate(submission.lines, currency: currency, &reasons)

        guard reasons.isEmpty, let customer, let currency, let shipTo, let lines else {
            return .invalid(reasons)
        }
        return .valid(ValidSubmission(customer: customer, currency: currency, lines: lines, shipTo: shipTo,
                                      requestedDeliveryDate: requestedDeliveryDate, submittedAt: submittedAt,
                                      priority: priority))
    }

    /// The customer must be known and active (`unknown_customer`) and not blocked
    /// (`customer_blocked`). Returns the record of a known, active customer.
    private func checkCustomer(_ id: String?, _ reasons: inout [Reason]) throws -> CustomerRecord? {
        guard let id = id?.trimmed, !id.isEmpty else {
            reasons.append(Reason(.unknownCustomer, "customerId is missing"))
            return nil
        }
        guard let customer = try state.customer(CustomerID(id)) else {
            reasons.append(Reason(.unknownCustomer, "customer \(id) is not known"))
            return nil
        }
        guard customer.active != false else {
            reasons.append(Reason(.unknownCustomer, "customer \(id) is inactive"))
            return nil
        }
        if customer.blocked {
            reasons.append(Reason(.customerBlocked, "customer \(id) is blocked"))
        }
        return customer
    }

    /// The currency is required and must be the customer's.
    private func checkCurrency(_ currency: String?, customer: CustomerRecord?, _ reasons: inout [Reason]) -> String? {
        guard let currency = currency?.trimmed, !currency.isEmpty else {
            reasons.append(Reason(.invalidSubmission, "currency is missing"))
            return nil
        }
        if let customer, customer.currency != currency {
            reasons.append(Reason(.currencyMismatch,
                                  "order currency \(currency) differs from customer \(customer.customerId)'s currency \(customer.currency)"))
        }
        return currency
    }

    /// shipTo is required with name, line1, city, region, postalCode and country.
    private func checkShipTo(_ shipTo: OrderSubmission.ShipTo?, _ reasons: inout [Reason]) -> Address? {
        guard let shipTo else {
            reasons.append(Reason(.invalidSubmission, "shipTo is missing"))
            return nil
        }
        let required: [(field: String, value: String?)] = [
            ("name", shipTo.name), ("line1", shipTo.line1), ("city", shipTo.city),
            ("region", shipTo.region), ("postalCode", shipTo.postalCode), ("country", shipTo.country),
        ]
        var complete = true
        for (field, value) in required where (value?.trimmed ?? "").isEmpty {
            reasons.append(Reason(.invalidSubmission, "shipTo.\(field) is missing"))
            complete = false
        }
        guard complete, let name = shipTo.name, let line1 = shipTo.line1, let city = shipTo.city,
              let region = shipTo.region, let postalCode = shipTo.postalCode, let country = shipTo.country else {
            return nil
        }
        return Address(name: name, phone: shipTo.phone, line1: line1, line2: shipTo.line2, city: city,
                       region: region, postalCode: postalCode, country: country)
    }

    /// requestedDeliveryDate is optional; when given it must be `YYYY-MM-DD`.
    private func checkDeliveryDate(_ text: String?, _ reasons: inout [Reason]) -> LocalDate? {
        guard let text else { return nil }
        guard let date = LocalDate(text) else {
            reasons.append(Reason(.invalidSubmission, "requestedDeliveryDate '\(text)' is not a YYYY-MM-DD date"))
            return nil
        }
        return date
    }

    /// submittedAt is optional; when given it must be an RFC 3339 time.
    private func checkSubmittedAt(_ text: String?, _ reasons: inout [Reason]) -> Date? {
        guard let text else { return nil }
        guard let date = Timestamp.parse(text) else {
            reasons.append(Reason(.invalidSubmission, "submittedAt '\(text)' is not an RFC 3339 time"))
            return nil
        }
        return date
    }

    /// priority is optional; when given it must be one of low, normal, high, rush.
    private func checkPriority(_ text: String?, _ reasons: inout [Reason]) -> Priority? {
        guard let text else { return nil }
        guard let priority = Priority(rawValue: text) else {
            let known = Priority.allCases.map(\.rawValue).joined(separator: ", ")
            reasons.append(Reason(.invalidSubmission, "priority '\(text)' is not one of \(known)"))
            return nil
        }
        return priority
    }
}
