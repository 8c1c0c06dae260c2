import Foundation

/// Runs the built `curvefit` binary and captures what it printed.
public struct CommandResult: Sendable {
  public var stdout: String
  public var stderr: String
  public var status: Int32

  public init(stdout: String, stderr: String, status: Int32) {
    self.stdout = stdout
    self.stderr = stderr
    self.status = status
  }
}

public enum CommandRunner {
  /// The package root, found from this file's location.
  public static var packageRoot: URL {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent()
  }

  /// The built binary: `$CURVEFIT_BIN`, or the first of the usual SwiftPM output paths.
  public static var binary: URL? {
    if let path = ProcessInfo.processInfo.environment["CURVEFIT_BIN"] {
      return URL(fileURLWithPath: path)
    }
    // The binary of the configuration these tests were built in: a stale binary of the other
    // configuration would test old code.
    #if DEBUG
      let configuration = "debug"
    #else
      let configuration = "release"
    #endif
    let candidate = packageRoot.appendingPathComponent(".build/\(configuration)/curvefit")
    return FileManager.default.isExecutableFile(atPath: candidate.path) ? candidate : nil
  }

  /// Runs `curvefit arguments…`, feeding `stdin` if given, from the package root.
  public static func run(_ arguments: [String], stdin: String? = nil) throws -> CommandResult {
    guard let binary else { throw RunnerError("curvefit binary not found; run swift build first") }
    let process = Process()
    process.executableURL = binary
    process.arguments = arguments
    process.currentDirectoryURL = packageRoot
    let output = Pipe()
    let errors = Pipe()
    process.standardOutput = output
    process.standardError = errors
    let input = Pipe()
    process.standardInput = input
    try process.run()
    let writer = Thread {
      if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
      try? input.fileHandleForWriting.close()
    }
    writer.start()
    let outData = output.fileHandleForReading.readDataToEndOfFile()
    let errData = errors.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return CommandResult(
      stdout: String(decoding: outData, as: UTF8.self),
      stderr: String(decoding: errData, as: UTF8.self),
      status: process.terminationStatus)
  }

  /// Writes `text` to a fresh temporary file named `name` and returns its path.
  public static func temporaryFile(named name: String, contents text: String) throws -> String {
    try temporaryFile(named: name, bytes: Data(text.utf8))
  }

  /// Writes `bytes` to a fresh temporary file named `name` and returns its path.
  public static func temporaryFile(named name: String, bytes: Data) throws -> String {
    let directory = FileManager.default.temporaryDirectory
      .appendingPathComponent("curvefit-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let url = directory.appendingPathComponent(name)
    try bytes.write(to: url)
    return url.path
  }
}

public struct RunnerError: Error, CustomStringConvertible {
  public let description: String
  public init(_ description: String) { self.description = description }
}
