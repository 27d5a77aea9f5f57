import Foundation
import OrderModel

/// Turns a valid submission into an order: lines priced as submitted, with list price,
/// tax rate, made-to-order flag, lead time and weight from the product; payment terms
/// from the customer unless the submission names parseable `NET<days>` terms; shipping
/// method and priority defaulted by configuration.
struct OrderAssembler {
    let config: IntakeConfig

    func assemble(_ valid: ValidSubmission, from submission: OrderSubmission, identity: SubmissionIdentity,
                  id: OrderID, receivedAt: Date) -> Order {
        let lines = valid.lines.enumerated().map { index, line in
            OrderLine(lineNumber: index + 1, sku: line.sku, quantity: line.quantity,
                      unitPrice: Money(line.unitPrice, valid.currency),
                      listPrice: Money(line.product.listPrice.value, valid.currency),
                      taxRate: line.product.taxRate, madeToOrder: line.product.madeToOrder,
                      leadTimeDays: line.product.leadTimeDays, weightKg: line.product.weightKg)
        }
        let gross = Totals(lines: lines, currency: valid.currency).gross
        let priority = valid.priority ?? PriorityPolicy(config: config).priority(tier: valid.customer.tier, gross: gross)
        let shippingMethod = submission.shippingMethod?.trimmed.nonEmpty ?? config.defaultShippingMethod

        return Order(id: id, channel: identity.channel, externalOrderId: identity.externalOrderId,
                     customerId: valid.customer.customerId, customerTier: valid.customer.tier,
                     customerRegion: valid.customer.region, currency: valid.currency, lines: lines,
                     shipTo: valid.shipTo, requestedDeliveryDate: valid.requestedDeliveryDate,
                     paymentTerms: submission.paymentTerms,
                     paymentTermsDays: PaymentTerms.days(submission.paymentTerms) ?? valid.customer.paymentTermsDays,
                     shippingMethod: shippingMethod, priority: priority, notes: submission.notes,
                     submittedAt: valid.submittedAt, receivedAt: receivedAt)
    }
}
