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
  /// The relative standard error of a held-out chunk's mean, from the scatter of the held-out
  /// points within their chunks: the part of a chunk's miss its noise alone explains.
  public var chunkNoise: Double = 0

  /// The held-out end of the fit range as up to 20 chunks of equal count: mean step, mean loss
  /// and size. Independent of the model form, so every candidate is judged on the same chunks.
  struct HeldOut {
    var fraction: Double
    var split: Double
    var meanT: [Double]
    var meanY: [Double]
    var counts: [Double]
    var points: Int
    /// Relative standard error of a chunk mean (pooled within-chunk scatter over `√(points per chunk)`).
    var chunkNoise: Double

    init?(_ series: LossSeries, bounds: ClosedRange<Double>, excluding excluded: StepRanges, holdout: Double) {
      guard holdout > 0, holdout < 1 else { return nil }
      fraction = holdout
      split = bounds.lowerBound + (1 - holdout) * (bounds.upperBound - bounds.lowerBound)
      let low = series.steps.upperIndex(atMost: split)
      let high = series.steps.upperIndex(atMost: bounds.upperBound)
      var count = 0
      FitPoints.forEachUsable(series, low..<high, excluded) { _, _ in count += 1 }
      let chunks = min(20, count / 5)
      guard chunks > 0 else { return nil }
      var sumT = [Double](repeating: 0, count: chunks)
      var sumY = sumT
      var counts = sumT
      // The noise of a point from successive differences within each chunk, so the curve's own
      // fall across a chunk is not counted (E[(yᵢ₊₁ − yᵢ)²] = 2σ² for independent noise about a
      // slowly changing level); made relative to the chunk's mean once it is known.
      var differences = sumT
      var previous: (chunk: Int, loss: Double)?
      var k = 0
      FitPoints.forEachUsable(series, low..<high, excluded) { step, loss in
        let chunk = min(chunks - 1, k * chunks / count)
        sumT[chunk] += step
        sumY[chunk] += loss
        counts[chunk] += 1
        if let previous, previous.chunk == chunk { differences[chunk] += (loss - previous.loss) * (loss - previous.loss) }
        previous = (chunk, loss)
        k += 1
      }
      meanT = zip(sumT, counts).map { $0 / $1 }
      meanY = zip(sumY, counts).map { $0 / $1 }
      self.counts = counts
      points = count
      var squares = 0.0
      for chunk in 0..<chunks where meanY[chunk] != 0 { squares += differences[chunk] / (meanY[chunk] * meanY[chunk]) }
      let pairs = Double(count - chunks)
      let pointNoise = pairs > 0 ? (squares / (2 * pairs)).squareRoot() : 0
      chunkNoise = pointNoise / (Double(count) / Double(chunks)).squareRoot()
    }
  }

  /// Runs the backtest; `nil` when the held-out part is empty or the fit fails.
  static func run(
    _ series: LossSeries, fitter: PowerLawFitter, excluding excluded: StepRanges,
    heldOut: HeldOut?, sums: LogBinnedSums?
  ) -> Backtest? {
    guard let heldOut else { return nil }
    let bounds = fitter.range.resolved(for: series)
    var training = fitter
    training.range = FitRange(from: bounds.lowerBound, to: heldOut.split)
    guard let fit = try? training.fit(series, excluding: excluded, sums: sums) else { return nil }
    let split = heldOut.split
    let chunkCount = heldOut.counts.count
    let counts = heldOut.counts
    var errors: [Double] = []
    var covered = 0
    for chunk in 0..<chunkCount where counts[chunk] > 0 {
      let meanT = heldOut.meanT[chunk]
      let meanY = heldOut.meanY[chunk]
      let prediction = fit.estimate(at: meanT)
      errors.append(abs(prediction.value - meanY) / abs(meanY))
      let curveHalf = prediction.ci95Delta.map { ($0.upperBound - $0.lowerBound) / 2 } ?? 0
      let noise = fit.rmse / counts[chunk].squareRoot()
      let half = (curveHalf * curveHalf + (Estimate.z95 * noise) * (Estimate.z95 * noise)).squareRoot()
      if abs(prediction.value - meanY) <= half { covered += 1 }
    }
    guard !errors.isEmpty else { return nil }
    return Backtest(
      holdoutFraction: heldOut.fraction, splitStep: split,
      meanRelativeError: errors.reduce(0, +) / Double(errors.count),
      maxRelativeError: errors.max() ?? 0, coverage95: Double(covered) / Double(errors.count),
      heldOutPoints: heldOut.points, chunks: errors.count, chunkNoise: heldOut.chunkNoise)
  }
}
