/// The last step change of a logged learning rate: a drop to half or less between two logged
/// points, flat before it and flat after it up to the cut — what multi-step schedules
/// (Detectron2's `WarmupMultiStepLR`, `MultiStepLR`) and `ReduceLROnPlateau` do.
///
/// After such a drop the loss follows a new curve: Detectron2's Faster R-CNN fine-tune fell
/// from 1.26 to 1.07 when its rate dropped 20× at step 1,500, then crawled to 1.03 by 4,000. A
/// power law fitted across the drop reads it as the curve's fall and projected 0.96 (−9%,
/// outside its interval) from half the run; fitted from the drop, 1.03 (−2.8%, inside).
enum RateDrop {
  /// A rate this close to its neighbour counts as the same (relative).
  static let flatTolerance = 0.01
  /// The rate must fall at least this many times at once.
  static let minimumRatio = 2.0
  /// Logged losses since the drop a fit from it needs (the least any fit takes): fewer, and the
  /// power law keeps its start (`LossCurveAnalysis.minimumPointsAfterDrop`).
  static let pointsToFitAfter = 5
  /// Flat logged points needed on either side, so a sparsely logged smooth decay (each point a
  /// few percent below the last, or the last steps of a cooldown to zero) is not a step.
  static let flatPoints = 3

  /// The step at which the rate last stepped down, at or before `upper`; `nil` when the rates
  /// since the last change are not flat for `flatPoints` points or the change is not a drop.
  static func lastDrop(_ series: LossSeries, upTo upper: Double) -> Double? {
    guard let rates = series.learningRates else { return nil }
    let end = series.steps.upperIndex(atMost: upper)
    guard end > 0 else { return nil }
    let level = rates[end - 1]
    guard level.isFinite, level > 0 else { return nil }
    func same(_ a: Double, _ b: Double) -> Bool { abs(a - b) <= flatTolerance * max(abs(a), abs(b)) }
    // Walk back over the flat stretch the log ends on; the point before it is where it began.
    var first = end - 1
    while first > 0, same(rates[first - 1], level) { first -= 1 }
    guard first > 0, end - first >= flatPoints, first >= flatPoints else { return nil }
    let before = rates[first - 1]
    guard before >= minimumRatio * level else { return nil }
    for index in (first - flatPoints)..<(first - 1) where !same(rates[index], before) { return nil }
    return series.steps[first]
  }
}
