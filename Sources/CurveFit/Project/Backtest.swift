import Foundation

/// How well the fit would have predicted the end of the run it had not seen.
///
/// The form is refitted on the first `1 − holdout` of the fit range's steps and compared with
/// the held-out rest. The held-out points are averaged in up to 20 chunks of equal size, so the
/// errors measure the curve's prediction rather than per-step noise; a chunk is covered when its
/// mean lies inside the 95% band `prediction ± 1.96·√(se(t)² + s²/n)` (curve uncertainty from the
/// delta method, plus the noise of a mean of `n` points with the training RMSE `s`).
public struct Backtest: Sendable, Equatable {
  public var holdoutFraction: Double
  /// The last step the backtest fit saw.
  public var splitStep: Double
  public var meanRelativeError: Double
  public var maxRelativeError: Double
  /// Fraction of held-out chunks inside the 95% band.
  public var coverage95: Double
  public var heldOutPoints: Int
  public var chunks: Int

  /// Runs the backtest; `nil` when either side has too few points or the fit fails.
  static func run(
    _ series: LossSeries, fitter: PowerLawFitter, excluding excluded: StepRanges,
    holdout: Double, sums: LogBinnedSums?
  ) -> Backtest? {
    guard holdout > 0, holdout < 1 else { return nil }
    let bounds = fitter.range.resolved(for: series)
    let split = bounds.lowerBound + (1 - holdout) * (bounds.upperBound - bounds.lowerBound)
    var training = fitter
    training.range = FitRange(from: bounds.lowerBound, to: split)
    guard let fit = try? training.fit(series, excluding: excluded, sums: sums) else { return nil }
    // Held-out points after the split, outside anomalies, in order.
    var t: [Double] = []
    var y: [Double] = []
    let low = series.steps.upperIndex(atMost: split)
    let high = series.steps.upperIndex(atMost: bounds.upperBound)
    guard high - low >= 5 else { return nil }
    let chunkCount = min(20, (high - low) / 5)
    var sumT = [Double](repeating: 0, count: chunkCount)
    var sumY = sumT
    var counts = sumT
    FitPoints.forEachUsable(series, low..<high, excluded) { step, loss in
      t.append(step)
      y.append(loss)
    }
    guard t.count >= chunkCount, chunkCount > 0 else { return nil }
    for k in t.indices {
      let chunk = min(chunkCount - 1, k * chunkCount / t.count)
      sumT[chunk] += t[k]
      sumY[chunk] += y[k]
      counts[chunk] += 1
    }
    var errors: [Double] = []
    var covered = 0
    for chunk in 0..<chunkCount where counts[chunk] > 0 {
      let meanT = sumT[chunk] / counts[chunk]
      let meanY = sumY[chunk] / counts[chunk]
      let prediction = fit.estimate(at: meanT)
      errors.append(abs(prediction.value - meanY) / abs(meanY))
      let curveHalf = prediction.ci95Delta.map { ($0.upperBound - $0.lowerBound) / 2 } ?? 0
      let noise = fit.rmse / counts[chunk].squareRoot()
      let half = (curveHalf * curveHalf + (Estimate.z95 * noise) * (Estimate.z95 * noise)).squareRoot()
      if abs(prediction.value - meanY) <= half { covered += 1 }
    }
    guard !errors.isEmpty else { return nil }
    return Backtest(
      holdoutFraction: holdout, splitStep: split,
      meanRelativeError: errors.reduce(0, +) / Double(errors.count),
      maxRelativeError: errors.max() ?? 0, coverage95: Double(covered) / Double(errors.count),
      heldOutPoints: t.count, chunks: errors.count)
  }
}
