// swift-tools-version:6.1
import PackageDescription

/// OrderFlow: five department services (intake, review, warehouse, logistics, billing)
/// talking over Kafka, the `tracking` service (order timelines, KPIs, dead letters over
/// HTTP) and the `orderctl` operator tool.
///
/// Layering (each arrow is "may import"):
///   department rules (pure) → DepartmentKit → OrderModel (Foundation only)
///   ServiceKit (runtime: storage, processing loop, HTTP, metrics) → Kafka → CRdKafka
///   executables → ServiceKit + their department's rules
let package = Package(
    name: "OrderFlow",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "intake", targets: ["IntakeMain"]),
        .executable(name: "review", targets: ["ReviewMain"]),
        .executable(name: "warehouse", targets: ["WarehouseMain"]),
        .executable(name: "logistics", targets: ["LogisticsMain"]),
        .executable(name: "billing", targets: ["BillingMain"]),
        .executable(name: "tracking", targets: ["TrackingMain"]),
        .executable(name: "orderctl", targets: ["OrderCtl"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    ],
    targets: [
        // MARK: Kafka (ours, over librdkafka)
        .systemLibrary(
            name: "CRdKafka",
            path: "Shared/CRdKafka",
            pkgConfig: "rdkafka",
            providers: [.apt(["librdkafka-dev"])]
        ),
        .target(
            name: "Kafka",
            dependencies: [
                "CRdKafka",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Shared/Kafka"
        ),

        // MARK: Shared vocabulary and rules plumbing (Foundation only)
        .target(name: "OrderModel", path: "Shared/OrderModel"),
        .target(name: "DepartmentKit", dependencies: ["OrderModel"], path: "Shared/DepartmentKit"),

        // MARK: Runtime shared by every service
        .target(
            name: "ServiceKit",
            dependencies: [
                "Kafka", "OrderModel", "DepartmentKit",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            path: "Shared/ServiceKit"
        ),

        // MARK: Departments: pure rules + a thin executable each
        .target(name: "IntakeRules", dependencies: ["DepartmentKit"], path: "Services/Intake/Rules"),
        .executableTarget(name: "IntakeMain", dependencies: ["IntakeRules", "ServiceKit"], path: "Services/Intake/Main"),
        .target(name: "ReviewRules", dependencies: ["DepartmentKit"], path: "Services/Review/Rules"),
        .executableTarget(name: "ReviewMain", dependencies: ["ReviewRules", "ServiceKit"], path: "Services/Review/Main"),
        .target(name: "WarehouseRules", dependencies: ["DepartmentKit"], path: "Services/Warehouse/Rules"),
        .executableTarget(name: "WarehouseMain", dependencies: ["WarehouseRules", "ServiceKit"], path: "Services/Warehouse/Main"),
        .target(name: "LogisticsRules", dependencies: ["DepartmentKit"], path: "Services/Logistics/Rules"),
        .executableTarget(name: "LogisticsMain", dependencies: ["LogisticsRules", "ServiceKit"], path: "Services/Logistics/Main"),
        .target(name: "BillingRules", dependencies: ["DepartmentKit"], path: "Services/Billing/Rules"),
        .executableTarget(name: "BillingMain", dependencies: ["BillingRules", "ServiceKit"], path: "Services/Billing/Main"),

        // MARK: Operator tool
        .target(name: "DemoKit", dependencies: ["OrderModel"], path: "Services/DemoKit"),

        // MARK: Tracking: a projection of orders.status (pure), its web page (pure), the executable
        .target(name: "TrackingRules", dependencies: ["DepartmentKit", "DemoKit"], path: "Services/Tracking/Rules"),
        .target(name: "TrackingWeb", dependencies: ["TrackingRules"], path: "Services/Tracking/Web"),
        .executableTarget(
            name: "TrackingMain",
            dependencies: ["TrackingRules", "TrackingWeb", "ServiceKit", .product(name: "Hummingbird", package: "hummingbird")],
            path: "Services/Tracking/Main"),
        .executableTarget(
            name: "OrderCtl",
            dependencies: [
                "Kafka", "OrderModel", "ServiceKit", "DemoKit", "TrackingRules",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Services/OrderCtl"
        ),

        // MARK: Tests
        .target(name: "TestSupport", dependencies: ["Kafka"], path: "Tests/TestSupport"),
        .testTarget(name: "OrderModelTests", dependencies: ["OrderModel", "DepartmentKit", "DemoKit"], path: "Tests/OrderModelTests", resources: [.copy("Fixtures")]),
        .testTarget(name: "IntakeRulesTests", dependencies: ["IntakeRules"], path: "Tests/IntakeRulesTests"),
        .testTarget(name: "ReviewRulesTests", dependencies: ["ReviewRules"], path: "Tests/ReviewRulesTests"),
        .testTarget(name: "WarehouseRulesTests", dependencies: ["WarehouseRules"], path: "Tests/WarehouseRulesTests"),
        .testTarget(name: "LogisticsRulesTests", dependencies: ["LogisticsRules"], path: "Tests/LogisticsRulesTests"),
        .testTarget(name: "BillingRulesTests", dependencies: ["BillingRules"], path: "Tests/BillingRulesTests"),
        .testTarget(name: "TrackingTests", dependencies: ["TrackingRules", "TrackingWeb"], path: "Tests/TrackingTests"),
        .testTarget(name: "DemoKitTests", dependencies: ["DemoKit"], path: "Tests/DemoKitTests"),
        .testTarget(name: "KafkaTests", dependencies: ["Kafka", "TestSupport", "DemoKit"], path: "Tests/KafkaTests"),
        .testTarget(name: "ServiceKitTests", dependencies: ["ServiceKit", "TestSupport", .product(name: "GRDB", package: "GRDB.swift")],
                    path: "Tests/ServiceKitTests"),
        .testTarget(name: "EndToEndTests", dependencies: ["Kafka", "OrderModel", "DemoKit", "TestSupport", "TrackingRules"], path: "Tests/EndToEndTests"),
    ]
)
