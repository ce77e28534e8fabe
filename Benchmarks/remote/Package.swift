// swift-tools-version: 6.2
// Benchmarks of the remote client, kept out of the root package so that `swift build`
// there never compiles them. Run with ./run.sh (see Benchmarks/README.md).
import PackageDescription

let package = Package(
    name: "RemoteBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [.package(name: "Troupe", path: "../..")],
    targets: [
        .executableTarget(
            name: "remote-bench",
            dependencies: [.product(name: "TroupeModels", package: "Troupe")],
            path: "Sources/remote-bench"),
    ]
)
