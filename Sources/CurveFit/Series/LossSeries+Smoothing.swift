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
