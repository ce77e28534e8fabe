// swift-tools-version: 6.2
import PackageDescription

// The benchmark suite lives in a package of its own so the root `swift build`
// never compiles it; it depends on Troupe by path. Run it with `./run.sh`.
let package = Package(
    name: "TroupeBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "Troupe", path: ".."),
        // For the disk-ceiling probe only (the same SQLite the store links).
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    ],
    targets: [
        .executableTarget(
            name: "troupe-bench",
            dependencies: [
                .product(name: "Troupe", package: "Troupe"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: [.enableUpcomingFeature("ExistentialAny")]
        ),
    ]
)
