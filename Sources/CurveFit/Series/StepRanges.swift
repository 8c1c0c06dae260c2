/// A set of steps described by sorted, disjoint closed ranges: what the fit leaves out.
///
/// Spikes and divergence are a few contiguous stretches, so ranges cost nothing where a set of
/// ten million steps would cost hundreds of megabytes and a hash per row.
public struct StepRanges: Sendable, Equatable {
  public private(set) var ranges: [ClosedRange<Double>]

  public init(_ ranges: [ClosedRange<Double>] = []) {
    self.ranges = []
    for range in ranges.sorted(by: { $0.lowerBound < $1.lowerBound }) {
      if let last = self.ranges.last, range.lowerBound <= last.upperBound {
        self.ranges[self.ranges.count - 1] = last.lowerBound...max(last.upperBound, range.upperBound)
      } else {
        self.ranges.append(range)
      }
    }
  }

  public static let none = StepRanges()

  public var isEmpty: Bool { ranges.isEmpty }

  public func union(_ other: StepRanges) -> StepRanges { StepRanges(ranges + other.ranges) }

  /// Whether `step` lies in any range (binary search).
  public func contains(_ step: Double) -> Bool {
    var low = 0
    var high = ranges.count
    while low < high {
      let middle = (low + high) / 2
      if ranges[middle].upperBound < step { low = middle + 1 } else { high = middle }
    }
    return low < ranges.count && ranges[low].contains(step)
  }

  /// How many of a sorted array of steps fall in the ranges.
  public func count(in steps: [Double]) -> Int {
    ranges.reduce(0) { total, range in
      total + steps.upperIndex(atMost: range.upperBound) - steps.lowerIndex(atLeast: range.lowerBound)
    }
  }
}

extension Array where Element == Double {
  /// The first index whose value is `≥ value` in an ascending array.
  func lowerIndex(atLeast value: Double) -> Int {
    var low = 0
    var high = count
    while low < high {
      let middle = (low + high) / 2
      if self[middle] < value { low = middle + 1 } else { high = middle }
    }
    return low
  }

  /// One past the last index whose value is `≤ value` in an ascending array.
  func upperIndex(atMost value: Double) -> Int {
    var low = 0
    var high = count
    while low < high {
      let middle = (low + high) / 2
      if self[middle] <= value { low = middle + 1 } else { high = middle }
    }
    return low
  }
}
