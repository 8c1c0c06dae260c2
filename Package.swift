// swift-tools-version:6.0
import PackageDescription

let package = Package(
  name: "curvefit",
  products: [
    .executable(name: "curvefit", targets: ["curvefit"]),
    .library(name: "CurveFit", targets: ["CurveFit"]),
    .library(name: "LeastSquares", targets: ["LeastSquares"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
  ],
  targets: [
    // MARK: - System libraries
    .systemLibrary(
      name: "CLAPACKE",
      providers: [.apt(["liblapacke-dev"])]
    ),
    .systemLibrary(
      name: "CZlib",
      providers: [.apt(["zlib1g-dev"])]
    ),
    // The input digest: the system's OpenSSL, not swift-crypto's BoringSSL built from source.
    .systemLibrary(
      name: "CLibCrypto",
      providers: [.apt(["libssl-dev"])]
    ),

    // MARK: - Libraries
    .target(name: "LeastSquares", dependencies: ["CLAPACKE"]),
    .target(
      name: "CurveFit",
      dependencies: ["LeastSquares", "CZlib", "CLibCrypto"],
      // The ingest loop touches a few class fields per row; dynamic exclusivity checks on them
      // cost ~10% of a 10M-row read. The code has no overlapping accesses to check for.
      swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]
    ),
    .target(name: "CurveFitTestSupport", dependencies: ["CurveFit"]),

    // MARK: - Executable
    .executableTarget(
      name: "curvefit",
      dependencies: [
        "CurveFit",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]
    ),

    // libFuzzer harness over ingest and analysis (make fuzz).
    .executableTarget(name: "CurveFitFuzz", dependencies: ["CurveFit"]),

    // MARK: - Tests
    .testTarget(name: "LeastSquaresTests", dependencies: ["LeastSquares"]),
    .testTarget(
      name: "CurveFitTests",
      dependencies: ["CurveFit", "CurveFitTestSupport"],
      resources: [.copy("Fixtures")]
    ),
    .testTarget(
      name: "CurveFitCLITests",
      dependencies: ["curvefit", "CurveFit", "CurveFitTestSupport"]
    ),
  ]
)
