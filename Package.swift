// swift-tools-version: 6.2
import PackageDescription

/// Settings every Swift target shares: Swift 6 mode is the tools default; these
/// upcoming features keep dependencies explicit.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

/// The kernel is optimised even in debug builds: an unoptimised forward pass is
/// ~100x slower and would make the test suite crawl.
let kernelSwiftSettings: [SwiftSetting] = swiftSettings + [.unsafeFlags(["-O"])]

let package = Package(
    name: "Troupe",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "Troupe", targets: ["Troupe"]),
        .library(name: "TroupeTesting", targets: ["TroupeTesting"]),
        // The remote client and policies alone, for apps that need no kernel or store
        // (and for Benchmarks/remote, which must not build the whole package).
        .library(name: "TroupeModels", targets: ["TroupeModels"]),
        .library(name: "TroupeCLI", targets: ["TroupeCLI"]),
        .executable(name: "troupe", targets: ["troupe"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        // Test-only: a real HTTP server on loopback for the remote-model tests.
        .package(url: "https://github.com/swhitty/FlyingFox", from: "0.27.1"),
        // MCP protocol types and client; Troupe brings its own stdio and HTTP transports.
        .package(url: "https://github.com/modelcontextprotocol/swift-sdk", from: "0.12.1"),
    ],
    targets: [
        // MARK: System-library shims
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl",
                       providers: [.apt(["libcurl4-openssl-dev"])]),
        .target(name: "CCurlShim", dependencies: ["CCurl"]),
        .systemLibrary(name: "CJansson", pkgConfig: "jansson",
                       providers: [.apt(["libjansson-dev"])]),
        .systemLibrary(name: "COpenBLAS",
                       providers: [.apt(["libopenblas-dev"])]),
        .target(name: "CKernel",
                cSettings: [.unsafeFlags(["-O3", "-fno-math-errno"])]),

        // MARK: Modules
        .target(name: "TroupeCore",
                dependencies: [.product(name: "Logging", package: "swift-log")],
                swiftSettings: swiftSettings),
        .target(name: "TroupeModels",
                dependencies: ["TroupeCore", "CCurlShim", "CJansson"],
                swiftSettings: swiftSettings),
        .target(name: "TroupeKernel",
                dependencies: ["TroupeCore", "CKernel", "COpenBLAS"],
                swiftSettings: kernelSwiftSettings),
        .target(name: "TroupeStore",
                dependencies: ["TroupeCore", .product(name: "GRDB", package: "GRDB.swift"),
                               // The C API under GRDB, for binding hot-path rows without boxing.
                               .product(name: "GRDBSQLite", package: "GRDB.swift")],
                swiftSettings: swiftSettings),
        .target(name: "TroupeTools",
                dependencies: ["TroupeCore", "CCurlShim", .product(name: "MCP", package: "swift-sdk"),
                               .product(name: "Logging", package: "swift-log")],
                swiftSettings: swiftSettings),
        .target(name: "Troupe",
                dependencies: ["TroupeCore", "TroupeModels", "TroupeKernel", "TroupeStore", "TroupeTools"],
                swiftSettings: swiftSettings),
        .target(name: "TroupeTesting",
                dependencies: ["TroupeCore"],
                swiftSettings: swiftSettings),
        .target(name: "Agents", dependencies: ["Troupe"], path: "Agents",
                swiftSettings: swiftSettings),
        .target(name: "Workflows", dependencies: ["Troupe", "Agents"], path: "Workflows",
                swiftSettings: swiftSettings),
        .target(name: "TroupeCLI",
                dependencies: ["Troupe", "Workflows", "TroupeTesting",
                               .product(name: "ArgumentParser", package: "swift-argument-parser")],
                swiftSettings: swiftSettings),
        .executableTarget(name: "troupe", dependencies: ["TroupeCLI"], swiftSettings: swiftSettings),

        // MARK: Tests
        .testTarget(name: "TroupeCoreTests",
                    dependencies: ["TroupeCore", "TroupeTesting"], swiftSettings: swiftSettings),
        .testTarget(name: "TroupeStoreTests",
                    dependencies: ["TroupeStore", "TroupeCore", "TroupeTesting"],
                    swiftSettings: swiftSettings),
        .testTarget(name: "TroupeKernelTests",
                    dependencies: ["TroupeKernel", "TroupeCore"], swiftSettings: swiftSettings),
        .testTarget(name: "TroupeModelsTests",
                    dependencies: ["TroupeModels", "TroupeCore", "TroupeTesting",
                                   .product(name: "FlyingFox", package: "FlyingFox")],
                    swiftSettings: swiftSettings),
        // Test support: an MCP server built with the same SDK, started by the MCP tests.
        .executableTarget(name: "mcp-echo-server",
                          dependencies: [.product(name: "MCP", package: "swift-sdk")],
                          path: "Tests/Support/MCPEchoServer", swiftSettings: swiftSettings),
        .testTarget(name: "TroupeToolsTests",
                    dependencies: ["TroupeTools", "TroupeCore", "TroupeStore", "TroupeTesting", "mcp-echo-server",
                                   .product(name: "FlyingFox", package: "FlyingFox")],
                    swiftSettings: swiftSettings),
        .testTarget(name: "EndToEndTests",
                    dependencies: ["troupe", "Troupe", "TroupeCore"], swiftSettings: swiftSettings),
    ]
)
