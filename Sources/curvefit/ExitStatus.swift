import ArgumentParser
import CurveFit

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The exit codes, decided here and nowhere else.
///
/// 0 success; 1 bad input (unreadable, malformed, nothing to fit); 3 a `--fail-on` event was
/// found; the argument parser's own code (64) for bad usage.
enum ExitStatus {
  static let badInput = ExitCode(1)
  static let eventFound = ExitCode(3)
  /// A flag that asks for what the input does not have, as the argument parser's own errors.
  static let badUsage = ExitCode(64)

  /// Runs `body`; a domain error is printed as one line on stderr and becomes exit code 1.
  static func guarding<T, E: Error & CustomStringConvertible>(
    _ body: () throws(E) -> T
  ) throws -> T {
    do {
      return try body()
    } catch {
      printError(error.description)
      throw badInput
    }
  }

  static func printError(_ message: String) {
    FileHandleStderr.write("curvefit: \(message)\n")
  }
}

enum FileHandleStderr {
  static func write(_ text: String) {
    var bytes = Array(text.utf8)
    _ = bytes.withUnsafeMutableBytes { fputs_bytes($0) }
  }

  private static func fputs_bytes(_ buffer: UnsafeMutableRawBufferPointer) -> Int {
    guard let base = buffer.baseAddress else { return 0 }
    return Glibc.write(STDERR_FILENO, base, buffer.count)
  }
}
