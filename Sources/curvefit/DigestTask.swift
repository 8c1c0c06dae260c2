import CurveFit
import Dispatch
import Foundation

/// Computes a large input file's SHA-256 on a background thread.
final class DigestTask: @unchecked Sendable {
  private let path: String
  private let group = DispatchGroup()
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
    group.enter()
    DispatchQueue.global().async {
      self.result = LogReader.sha256(path: self.path)
      self.group.leave()
    }
  }

  func wait() -> String? {
    group.wait()
    return result
  }
}
