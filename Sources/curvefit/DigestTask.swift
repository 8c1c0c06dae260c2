import CurveFit
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Computes a large input file's SHA-256 on a background thread of its own.
///
/// The analysis splits its long passes over both cores; a hash competing with them on equal
/// terms would stretch each pass to the slower half. The thread is therefore a dedicated one
/// (not a dispatch worker the analysis might be handed later) at the lowest priority, so the
/// hash fills the time a core would otherwise sit idle.
final class DigestTask: @unchecked Sendable {
  private let path: String
  private let done = DispatchSemaphore(value: 0)
  private var result: String?

  /// `nil` unless `path` is a regular file large enough to be read in parallel.
  init?(path: String?) {
    guard let path, path != "-",
      let attributes = try? FileManager.default.attributesOfItem(atPath: path),
      attributes[.type] as? FileAttributeType == .typeRegular,
      let size = attributes[.size] as? Int, size >= LogReader.parallelThreshold
    else { return nil }
    self.path = path
  }

  func start() {
    let thread = Thread {
      #if os(Linux)
        // Linux applies nice values per thread (0: the calling one); failing only costs speed.
        _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 19)
      #endif
      self.result = LogReader.sha256(path: self.path)
      self.done.signal()
    }
    thread.start()
  }

  func wait() -> String? {
    done.wait()
    done.signal()
    return result
  }
}
