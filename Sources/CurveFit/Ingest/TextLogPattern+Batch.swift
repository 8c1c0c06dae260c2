import Dispatch
import Foundation

extension TextLogPattern {
  /// Lines a worker matches at least: below twice this a batch is matched on the calling thread.
  static let linesPerWorker = 512

  /// `match(_:)` of each of `lines`, in order, on every core when there are enough: a console
  /// log is matched by regular expression at about 8 µs a line (a million-line nanoGPT log took
  /// 7.7 s on one core), and each line's match depends on no other line.
  func matchAll(_ lines: [String]) -> [Match?] {
    let workers = min(ProcessInfo.processInfo.activeProcessorCount, 8, lines.count / Self.linesPerWorker)
    guard workers >= 2 else { return lines.map { match($0) } }
    var results = [Match?](repeating: nil, count: lines.count)
    let count = lines.count
    let patterns = [self] + (1..<workers).map { _ in withOwnExpressions() }
    results.withUnsafeMutableBufferPointer { buffer in
      nonisolated(unsafe) let slots = buffer
      DispatchQueue.concurrentPerform(iterations: workers) { worker in
        let pattern = patterns[worker]
        let start = count * worker / workers
        let end = count * (worker + 1) / workers
        for index in start..<end { slots[index] = pattern.match(lines[index]) }
      }
    }
    return results
  }
}
