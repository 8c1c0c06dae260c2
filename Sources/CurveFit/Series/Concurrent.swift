import Dispatch

/// A value computed on another core while the caller goes on with work it does not depend on.
///
/// For the long, independent passes over a large series (the schedule detection beside the
/// health checks); below `threshold` points the work runs at once on the calling thread, where a
/// thread hand-off would cost more than it saves.
final class Concurrent<Value: Sendable>: @unchecked Sendable {
  private let group = DispatchGroup()
  private var value: Value?
  private let work: @Sendable () -> Value

  static var threshold: Int { 1 << 20 }

  init(points: Int, _ work: @escaping @Sendable () -> Value) {
    self.work = work
    guard points >= Self.threshold else {
      value = work()
      return
    }
    group.enter()
    DispatchQueue.global().async {
      self.value = work()
      self.group.leave()
    }
  }

  /// Waits for the value.
  func wait() -> Value {
    group.wait()
    // Set before the group was left; computing it again is only a guard for the type checker.
    return value ?? work()
  }
}
