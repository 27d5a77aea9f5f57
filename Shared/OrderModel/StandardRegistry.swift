extension EventRegistry {
    /// Every event type of OrderFlow at its current version, with the upcasters of older
    /// versions. Services decode their inbox with it; `orderctl tail` prints with it.
    public static let standard: EventRegistry = {
        var registry = EventRegistry()
        // Inbound from outside parties
        registry.register(ReviewDecided.self)
        registry.register(CancellationRequested.self)
        registry.register(ChangeRequested.self)
        registry.register(StockReceived.self)
        registry.register(StockInTransit.self)
        registry.register(WarehouseTaskCompleted.self)
        registry.register(ShipmentTrackingUpdated.self)
        registry.register(DeliveryResponded.self)
        registry.register(PaymentReceived.self)
        // Between departments
        registry.register(OrderReceived.self)
        registry.register(OrderReleased.self)
        registry.register(DepositRequested.self)
        registry.register(DepositPaid.self)
        registry.register(PaymentApplied.self)
        registry.register(OrderPacked.self)
        registry.register(OrderCancelled.self)
        registry.register(OrderReturnedForChange.self)
        registry.register(ShipmentDispatched.self)
        registry.register(ShipmentDelivered.self)
        registry.register(DeliveryDisputed.self)
        // Published for everyone
        registry.register(OrderStatusChanged.self)
        registry.register(SLABreached.self)
        registry.register(RequestRefused.self)
        registry.register(BillingNotice.self)
        registry.register(ReplenishmentRequested.self)
        return registry
    }()
}
