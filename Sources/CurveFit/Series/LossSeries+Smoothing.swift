import Foundation

extension LossSeries {
  /// The series smoothed by a debiased exponential moving average, as TensorBoard's slider does:
  /// `m ← w·m + (1 − w)·x`, shown as `m / (1 − wᵏ)` after `k` finite points, so the start is not
  /// pulled towards zero. Non-finite losses pass through unchanged and do not enter the average.
  public func smoothed(weight: Double) -> LossSeries {
    guard weight > 0 else { return self }
    var average = 0.0
    var debias = 0.0
    let values = losses.map { loss -> Double in
      guard loss.isFinite else { return loss }
      average = weight * average + (1 - weight) * loss
      debias = weight * debias + (1 - weight)
      return average / debias
    }
    var origin = origin
    origin.notes.append("losses smoothed for detection and display by a debiased EMA (weight \(weight)); the fit uses the raw losses")
    return LossSeries(sortedSteps: steps, losses: values, gradNorms: gradNorms, learningRates: learningRates, origin: origin)
  }
}

extension LossSeries {
  /// The series as the detectors see it under `--smooth`: the debiased EMA applied to the loss
  /// relative to `trend` (`log L − log f`), then put back on the trend.
  ///
  /// An EMA of the raw losses lags a falling curve, so early on it sits above any trend and
  /// reads as a spike; averaging the residual instead smooths the noise without the lag.
  /// Where a loss or the trend is not positive the raw loss passes through.
  func smoothedAgainst(_ trend: (Double) -> Double, weight: Double) -> LossSeries {
    guard weight > 0 else { return self }
    var average = 0.0
    var debias = 0.0
    var values = losses
    for index in losses.indices {
      let loss = losses[index]
      let expected = trend(steps[index])
      guard loss.isFinite, loss > 0, expected.isFinite, expected > 0 else { continue }
      average = weight * average + (1 - weight) * Foundation.log(loss / expected)
      debias = weight * debias + (1 - weight)
      values[index] = expected * Foundation.exp(average / debias)
    }
    return LossSeries(sortedSteps: steps, losses: values, gradNorms: gradNorms, learningRates: learningRates, origin: origin)
  }
}
