import Foundation

/// The loss falling at each epoch boundary and flat between: a model memorising its data.
///
/// A model that learns what generalises lowers its loss smoothly whatever the epoch; one that
/// memorises lowers it on the examples it has already seen, which come round again only at the
/// next pass: the training loss steps down at every epoch boundary (the Whisper fine-tune of the
/// real logs: ×0.6–0.8 at each of 38 boundaries, flat or rising within each epoch, to 0.0002
/// nats while its evaluation loss climbed). Its training loss then says how well the model
/// recalls its data, not how well it will do on new data.
///
/// Judged in log loss, a third of an epoch either side of each boundary inside the log: the
/// change across the boundary against half the change across the third-to-third of the epochs
/// on either side (what a smooth fall gives over the boundary's shorter span).
public struct EpochDrops: Sendable, Equatable {
  public var stepsPerEpoch: Double
  /// Boundaries judged (each with losses logged a third of an epoch before and after it).
  public var boundaries: Int
  /// Median over the boundaries of the loss just after over just before.
  public var boundaryRatio: Double
  /// Median over the whole epochs of the loss in the last third over the first third.
  public var withinRatio: Double

  /// The median boundary must fall at least this much (5%) beyond the smooth trend.
  static let minimumExcess = 0.05
  /// Fewer logged points per epoch than this cannot tell a boundary from the trend.
  static let minimumPointsPerEpoch = 4.0
  /// A boundary is judged where the loss is at least this many steps of the print's last digit.
  static let printSteps = 20.0

  static func find(_ series: LossSeries) -> EpochDrops? {
    // A log counted in epochs (the Trainer's console dicts) has one epoch per unit of its axis.
    guard let perEpoch = series.origin.stepsPerEpoch ?? (series.origin.axis == .epochs ? 1 : nil),
      perEpoch > 0, perEpoch.isFinite,
      let first = series.steps.first, let last = series.steps.last, last > first,
      Double(series.count) / ((last - first) / perEpoch) >= minimumPointsPerEpoch,
      // Epoch numbers are counted as integers: a log a million million epochs from zero is not one.
      last / perEpoch < 1e15
    else { return nil }
    let (firstEpoch, lastEpoch) = (Int((first / perEpoch).rounded(.down)), Int((last / perEpoch).rounded(.down)))
    let third = perEpoch / 3
    // A 5% drop of a loss printed 0.0004 is below its last digit: boundaries that low are not judged.
    let floor = printSteps * LogResolution.of(series, positions: 0..<series.count)
    // The median log loss of the finite positive points in [from, to), and how many there were.
    func level(_ from: Double, _ to: Double) -> (value: Double, count: Int)? {
      var values: [Double] = []
      var index = series.steps.lowerIndex(atLeast: from)
      while index < series.count, series.steps[index] < to {
        let loss = series.losses[index]
        if loss.isFinite, loss > 0 { values.append(Foundation.log(loss)) }
        index += 1
      }
      return values.isEmpty ? nil : (values.median, values.count)
    }
    // The change from the first third to the last third of epoch `k` (0-based), if inside the log.
    func within(_ k: Int) -> Double? {
      let start = Double(k) * perEpoch
      guard start >= first, start + perEpoch <= last,
        let head = level(start, start + third), let tail = level(start + perEpoch - third, start + perEpoch)
      else { return nil }
      return tail.value - head.value
    }
    var excesses: [Double] = []
    var drops: [Double] = []
    var withins: [Double] = []
    var windowPoints: [Double] = []
    var k = max(1, firstEpoch)
    while Double(k) * perEpoch + third <= last {
      let boundary = Double(k) * perEpoch
      defer { k += 1 }
      guard boundary - third >= first, let before = level(boundary - third, boundary),
        let after = level(boundary, boundary + third), Foundation.exp(before.value) > floor
      else { continue }
      let adjacent = [within(k - 1), within(k)].compactMap { $0 }
      guard !adjacent.isEmpty else { continue }
      let smooth = adjacent.reduce(0, +) / Double(adjacent.count) / 2
      drops.append(after.value - before.value)
      excesses.append(after.value - before.value - smooth)
      windowPoints.append(Double(min(before.count, after.count)))
    }
    for epoch in max(0, firstEpoch)..<max(0, lastEpoch) { if let change = within(epoch) { withins.append(change) } }
    guard excesses.count >= 2, !withins.isEmpty else { return nil }
    let excess = excesses.median
    let agreeing = excesses.filter { $0 < 0 }.count
    // The noise of one window's median from neighbours' differences (E[(Δ log L)²] = 2σ²); the
    // excess has about five windows' worth of it, and the median of K excesses 1.25/√K of that.
    let noise = pointNoise(series) * 1.25 / windowPoints.median.squareRoot()
    let standardError = 1.25 * noise * 5.0.squareRoot() / Double(excesses.count).squareRoot()
    guard excess <= -Swift.max(minimumExcess, 3 * standardError), 4 * agreeing >= 3 * excesses.count else { return nil }
    return EpochDrops(
      stepsPerEpoch: perEpoch, boundaries: excesses.count, boundaryRatio: Foundation.exp(drops.median),
      withinRatio: Foundation.exp(withins.median))
  }

  /// The noise of one point's log loss, from the median absolute first difference.
  private static func pointNoise(_ series: LossSeries) -> Double {
    var differences: [Double] = []
    var previous: Double?
    for loss in series.losses where loss.isFinite && loss > 0 {
      let value = Foundation.log(loss)
      if let previous { differences.append(abs(value - previous)) }
      previous = value
    }
    guard !differences.isEmpty else { return 0 }
    return 1.4826 * differences.median / 2.0.squareRoot()
  }


  /// The health line: what the drops are and what they mean for this loss.
  func line(axis: StepAxis) -> String {
    "memorising: the loss falls ×\(NumberFormat.significant(boundaryRatio, 2)) at each epoch boundary "
      + "(median of \(boundaries)\(axis == .epochs ? "" : "; an epoch is \(NumberFormat.count(stepsPerEpoch.rounded())) \(axis.rawValue)")), "
      + "×\(NumberFormat.significant(withinRatio, 2)) within epochs: each pass lowers it on data the model has seen; "
      + "the evaluation loss tells how it does on new data"
  }
}
