/// `ElevatedScan.isRising` for a stretch that grows one point at a time.
///
/// The scan asks, at every point of a long open stretch, whether its last quarter is above its
/// first; summing the whole stretch again each time made a long climb quadratic (600,000 points
/// of a loss rising as a sawtooth: minutes). Here the first quarter's sum only grows and the last
/// quarter's slides, so each point costs O(1) amortised. The first quarter is summed in the same
/// order as before; the last quarter's running sum may differ from a fresh sum in its last bits.
struct RiseTracker {
  private(set) var start: Int
  private var end: Int
  private var count = 0
  /// The first `earlyCount` finite values from `start`, summed; `earlyNext` is the position after them.
  private var earlyNext: Int
  private var earlyCount = 0
  private var earlySum = 0.0
  /// The finite values from `lateFirst` to `end`, summed.
  private var lateFirst: Int
  private var lateCount = 0
  private var lateSum = 0.0

  init(start: Int) {
    self.start = start
    end = start - 1
    earlyNext = start
    lateFirst = start
  }

  /// Takes in the values up to `last` (inclusive) and answers `isRising` for `start...last`.
  mutating func isRising(through last: Int, _ values: [Double], scale: Double) -> Bool {
    while end < last {
      end += 1
      guard values[end].isFinite else { continue }
      count += 1
      lateSum += values[end]
      lateCount += 1
    }
    let quarter = max(1, count / 4)
    while earlyCount < min(quarter, count), earlyNext <= end {
      if values[earlyNext].isFinite {
        earlySum += values[earlyNext]
        earlyCount += 1
      }
      earlyNext += 1
    }
    while lateCount > quarter {
      if values[lateFirst].isFinite {
        lateSum -= values[lateFirst]
        lateCount -= 1
      }
      lateFirst += 1
    }
    while lateCount < min(quarter, count), lateFirst > start {
      lateFirst -= 1
      if values[lateFirst].isFinite {
        lateSum += values[lateFirst]
        lateCount += 1
      }
    }
    let early = earlySum / Double(quarter)
    let late = lateSum / Double(quarter)
    return late > early + scale
  }
}
