import Foundation
import Testing
import DepartmentKit
import OrderModel
@testable import IntakeRules

/// Invalid submissions are rejected with every problem at once, under an order number.
struct IntakeRejectionTests {
    @Test func allProblemsOfOneSubmissionAreReportedTogether() throws {
        let state = try IntakeFixtures.store()
        var shipTo = IntakeFixtures.shipTo
        shipTo.city = nil
        shipTo.postalCode = "  "
        let submission = IntakeFixtures.submission(
            customerId: "C-404", currency: "CNY",
            lines: [
                IntakeFixtures.line("NOPE-1"),
                IntakeFixtures.line(quantity: .number(0)),
                IntakeFixtures.line(unitPrice: .string("-5.00")),
            ],
            shipTo: shipTo, requestedDeliveryDate: "05/12/2026", submittedAt: "yesterday", priority: "urgent")

        let outcome = try IntakeFixtures.submit(submission, to: state)

        #expect(outcome.statusChanges.map(\.status) == [.rejected])
        #expect(outcome.receivedOrder == nil)
        #expect(outcome.events.map(\.topic) == [.status])
        let codes = outcome.reasonCodes
        #expect(codes.filter { $0 == .unknownCustomer }.count == 1)
        #expect(codes.filter { $0 == .unknownSKU }.count == 1)
        #expect(codes.filter { $0 == .invalidQuantity }.count == 1)
        // shipTo.city, shipTo.postalCode, date, submittedAt, priority, negative unit price
        #expect(codes.filter { $0 == .invalidSubmission }.count == 6)
        #expect(codes.count == 9)
        let messages = outcome.statusChanges.first?.reasons?.map(\.message) ?? []
        #expect(messages.contains("shipTo.city is missing"))
        #expect(messages.contains { $0.hasPrefix("line 3: unitPrice") })
    }

    @Test func rejectedSubmissionGetsAnOrderNumber() throws {
        let state = try IntakeFixtures.store()
        let rejected = try IntakeFixtures.submit(IntakeFixtures.submission(externalOrderId: "A", customerId: "C-404"), to: state)
        let accepted = try IntakeFixtures.submit(IntakeFixtures.submission(externalOrderId: "B"), to: state)

        let change = try #require(rejected.statusChanges.first)
        #expect(change.orderId == "SO-2026-000001")
        #expect(change.channel == "tmall-flagship")
        #expect(change.externalOrderId == "A")
        #expect(rejected.events.first?.key == "SO-2026-000001")
        #expect(accepted.receivedOrder?.id == "SO-2026-000002")
    }

    @Test func blockedCustomerIsRejected() throws {
        let state = try IntakeFixtures.store(customers: [IntakeFixtures.customer(blocked: true)])
        let outcome = try IntakeFixtures.submit(IntakeFixtures.submission(), to: state)
        #expect(outcome.statusChanges.map(\.status) == [.rejected])
        #expect(outcome.reasonCodes == [.customerBlocked])
        #expect(outcome.receivedOrder == nil)
    }

    @Test func unknownMissingOrInactiveCustomerIsUnknown() throws {
        let state = try IntakeFixtures.store(customers: [IntakeFixtures.customer("C-OLD", active: false)])
        let missing = try IntakeFixtures.submit(IntakeFixtures.submission(externalOrderId: "A", customerId: nil), to: state)
        let unknown = try IntakeFixtures.submit(IntakeFixtures.submission(externalOrderId: "B", customerId: "C-404"), to: state)
        let inactive = try IntakeFixtures.submit(IntakeFixtures.submission(externalOrderId: "C", customerId: "C-OLD"), to: state)
        #expect(missing.reasonCodes == [.unknownCustomer])
        #expect(unknown.reasonCodes == [.unknownCustomer])
        #expect(inactive.reasonCodes == [.unknownCustomer])
        #expect(inactive.statusChanges.first?.reasons?.first?.message.contains("inactive") == true)
    }

    @Test func inactiveSKUIsUnknownWithInactiveMessage() throws {
        let state = try IntakeFixtures.store(products: [IntakeFixtures.product(active: false)])
        let outcome = try IntakeFixtures.submit(IntakeFixtures.submission(), to: state)
        #expect(outcome.reasonCodes == [.unknownSKU])
        #expect(outcome.statusChanges.first?.reasons?.first?.message.contains("inactive") == true)
    }

    @Test func currencyMustMatchCustomerAndProducts() throws {
        let state = try IntakeFixtures.store(products: [IntakeFixtures.product(), IntakeFixtures.product("VALVE-10", currency: "USD")])
        let wrongForCustomer = try IntakeFixtures.submit(
            IntakeFixtures.submission(externalOrderId: "A", currency: "USD", lines: [IntakeFixtures.line("VALVE-10")]), to: state)
        let wrongForProduct = try IntakeFixtures.submit(
            IntakeFixtures.submission(externalOrderId: "B", lines: [IntakeFixtures.line("VALVE-10")]), to: state)
        #expect(wrongForCustomer.reasonCodes == [.currencyMismatch])
        #expect(wrongForProduct.reasonCodes == [.currencyMismatch])
    }

    @Test(arguments: [JSONValue.number(0), .number(-2), .number(Decimal(string: "2.5")!), .string("3"), .null])
    func quantityMustBeAPositiveInteger(quantity: JSONValue) throws {
        let state = try IntakeFixtures.store()
        let outcome = try IntakeFixtures.submit(IntakeFixtures.submission(lines: [IntakeFixtures.line(quantity: quantity)]), to: state)
        #expect(outcome.reasonCodes == [.invalidQuantity])
    }

    @Test(arguments: [JSONValue.number(Decimal(string: "1180.00")!), .string("-1.00"), .string("12abc"), .string("1e3"), .null])
    func unitPriceMustBeADecimalStringNotBelowZero(price: JSONValue) throws {
        let state = try IntakeFixtures.store()
        let outcome = try IntakeFixtures.submit(IntakeFixtures.submission(lines: [IntakeFixtures.line(unitPrice: price)]), to: state)
        #expect(outcome.reasonCodes == [.invalidSubmission])
    }

    @Test func zeroUnitPriceIsAValidPrice() throws {
        let state = try IntakeFixtures.store()
        let outcome = try IntakeFixtures.submit(IntakeFixtures.submission(lines: [IntakeFixtures.line(unitPrice: .string("0"))]), to: state)
        #expect(outcome.statusChanges.map(\.status) == [.received])
    }

    @Test func missingLinesShipToAndCurrencyAreInvalid() throws {
        let state = try IntakeFixtures.store()
        let noLines = try IntakeFixtures.submit(IntakeFixtures.submission(externalOrderId: "A", lines: []), to: state)
        let noShipTo = try IntakeFixtures.submit(IntakeFixtures.submission(externalOrderId: "B", shipTo: nil), to: state)
        let noCurrency = try IntakeFixtures.submit(IntakeFixtures.submission(externalOrderId: "C", currency: nil), to: state)
        #expect(noLines.reasonCodes == [.invalidSubmission])
        #expect(noShipTo.reasonCodes == [.invalidSubmission])
        #expect(noCurrency.reasonCodes == [.invalidSubmission])
    }

    @Test func submissionWithoutIdentityGoesToTheDeadLetter() throws {
        let state = try IntakeFixtures.store()
        var anonymous = IntakeFixtures.submission()
        anonymous.externalOrderId = nil
        var future = IntakeFixtures.submission()
        future.schemaVersion = 2
        #expect(throws: RuleViolation.self) { try IntakeFixtures.submit(anonymous, to: state) }
        #expect(throws: RuleViolation.self) { try IntakeFixtures.submit(future, to: state) }
    }
}
