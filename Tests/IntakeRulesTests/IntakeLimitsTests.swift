import DepartmentKit
import Foundation
import OrderModel
import Testing
@testable import IntakeRules

/// Submissions over the configured limits are refused with `too_large`, before anything
/// else is checked, so that intake never emits an event bigger than the broker takes.
struct IntakeLimitsTests {
    static let megabyte = String(repeating: "x", count: 1_048_576)

    @Test func tooManyLinesIsRejectedWithTooLargeAndNothingElse() throws {
        let state = try IntakeFixtures.store()
        let lines = (0..<501).map { _ in IntakeFixtures.line("NOPE") }
        let outcome = try IntakeFixtures.submit(IntakeFixtures.submission(lines: lines), to: state)
        #expect(outcome.statusChanges.map(\.status) == [.rejected])
        #expect(outcome.reasonCodes == [.tooLarge])
        #expect(outcome.statusChanges.first?.reasons?.first?.message == "the submission has 501 lines; at most 500 are taken")
        #expect(outcome.receivedOrder == nil)
        // Remembered like any rejection: the same submission again creates nothing.
        #expect(try IntakeFixtures.submit(IntakeFixtures.submission(lines: lines), to: state).events.isEmpty)
    }

    @Test func aMegabyteFieldIsRejectedAndNotEchoed() throws {
        let state = try IntakeFixtures.store()
        var shipTo = IntakeFixtures.shipTo
        shipTo.line1 = Self.megabyte
        let outcome = try IntakeFixtures.submit(IntakeFixtures.submission(shipTo: shipTo, requestedDeliveryDate: Self.megabyte), to: state)
        #expect(outcome.reasonCodes == [.tooLarge, .tooLarge])
        let messages = outcome.statusChanges.first?.reasons?.map(\.message) ?? []
        #expect(messages == ["requestedDeliveryDate is 1048576 characters long; at most 200 are taken",
                             "shipTo.line1 is 1048576 characters long; at most 200 are taken"])
    }

    @Test func lengthsCountCharactersNotBytes() throws {
        let state = try IntakeFixtures.store()
        var shipTo = IntakeFixtures.shipTo
        shipTo.name = String(repeating: "王", count: 200)  // 600 UTF-8 bytes, 200 characters
        let outcome = try IntakeFixtures.submit(IntakeFixtures.submission(shipTo: shipTo), to: state)
        #expect(outcome.statusChanges.map(\.status) == [.received])
    }

    @Test func aMessageOverTheByteLimitIsRejected() throws {
        let state = try IntakeFixtures.store()
        let event = InboundEvent(OrderSubmitted(submission: IntakeFixtures.submission(), byteCount: 262_145))
        let outcome = try IntakeRules().handle(event, state: state, context: IntakeFixtures.context)
        #expect(outcome.reasonCodes == [.tooLarge])
        #expect(outcome.statusChanges.first?.reasons?.first?.message == "the submission is 262145 bytes; at most 262144 are taken")
    }

    @Test func reasonsAreBoundedWhenEveryLineIsOversized() throws {
        let state = try IntakeFixtures.store()
        let lines = (0..<300).map { _ in IntakeFixtures.line(String(repeating: "S", count: 5000)) }
        let outcome = try IntakeFixtures.submit(IntakeFixtures.submission(lines: lines), to: state)
        let reasons = try #require(outcome.statusChanges.first?.reasons)
        #expect(reasons.count == SubmissionLimits.maxReasons)
        #expect(reasons.allSatisfy { $0.code == .tooLarge })
        #expect(reasons.last?.message == "and 291 more fields over their limits")
    }

    @Test func anOversizedIdentityGoesToTheDeadLetterAsTooLarge() throws {
        let state = try IntakeFixtures.store()
        var submission = IntakeFixtures.submission()
        submission.externalOrderId = Self.megabyte
        #expect {
            _ = try IntakeFixtures.submit(submission, to: state)
        } throws: { error in
            (error as? RuleViolation)?.code == "too_large"
                && (error as? RuleViolation)?.reason == "too_large: externalOrderId is 1048576 characters long; at most 200 are taken"
        }
    }

    @Test func configuredLimitsApply() throws {
        let rules = IntakeRules(config: try IntakeConfig(environment: ["ORDERFLOW_INTAKE_MAX_LINES": "2"]))
        let state = try IntakeFixtures.store()
        let two = try IntakeFixtures.submit(IntakeFixtures.submission(externalOrderId: "A", lines: [IntakeFixtures.line(), IntakeFixtures.line()]),
                                            to: state, rules: rules)
        #expect(two.statusChanges.map(\.status) == [.received])
        let three = try IntakeFixtures.submit(IntakeFixtures.submission(externalOrderId: "B", lines: Array(repeating: IntakeFixtures.line(), count: 3)),
                                              to: state, rules: rules)
        #expect(three.reasonCodes == [.tooLarge])
    }

    @Test func limitsAreReadFromTheEnvironment() throws {
        let limits = try IntakeConfig(environment: [
            "ORDERFLOW_INTAKE_MAX_LINES": "10", "ORDERFLOW_INTAKE_MAX_FIELD_LENGTH": "50",
            "ORDERFLOW_INTAKE_MAX_NOTES_LENGTH": "100", "ORDERFLOW_INTAKE_MAX_SUBMISSION_BYTES": "4096",
        ]).limits
        #expect(limits == SubmissionLimits(maxLines: 10, maxFieldLength: 50, maxNotesLength: 100, maxSubmissionBytes: 4096))
        #expect(try IntakeConfig(environment: [:]).limits == SubmissionLimits())
        for value in ["0", "-3", "many"] {
            #expect(throws: ConfigurationError.self) { try IntakeConfig(environment: ["ORDERFLOW_INTAKE_MAX_LINES": value]) }
        }
    }

    /// The defaults keep intake's biggest event, `order.received` of an order at every
    /// limit, under the 1,000,000 bytes librdkafka and brokers take by default.
    @Test func anOrderAtEveryDefaultLimitEncodesUnderOneMegabyte() throws {
        let limits = SubmissionLimits()
        let long = String(repeating: "W", count: limits.maxFieldLength)
        let sku = String(repeating: "K", count: limits.maxFieldLength)
        let state = try IntakeFixtures.store(customers: [IntakeFixtures.customer(long)], products: [IntakeFixtures.product(sku)])
        let shipTo = OrderSubmission.ShipTo(name: long, phone: long, line1: long, line2: long, city: long, region: long,
                                            postalCode: long, country: long)
        let lines = (0..<limits.maxLines).map { _ in
            IntakeFixtures.line(sku, quantity: .number(Decimal(999_999_999)), unitPrice: .string("99999999999.99"))
        }
        var submission = IntakeFixtures.submission(externalOrderId: long, customerId: long, lines: lines, shipTo: shipTo,
                                                   paymentTerms: long, shippingMethod: long)
        submission.channel = long
        submission.notes = String(repeating: "N", count: limits.maxNotesLength)
        let outcome = try IntakeFixtures.submit(submission, to: state)
        #expect(outcome.receivedOrder != nil)
        for event in outcome.events {
            let bytes = try event.payload.encodedEnvelope(id: UUID().uuidString, source: "/orderflow/intake", subject: event.subject,
                                                          time: IntakeFixtures.now, correlationid: event.correlationId, causationid: "x")
            #expect(bytes.count < 1_000_000, "\(event.type) is \(bytes.count) bytes")
        }
    }
}
