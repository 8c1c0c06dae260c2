/// A run with too few finite losses to fit a curve (or losses below zero, which no law here
/// describes), and the verdict its points still give.
///
/// An all-NaN run has diverged, and an excerpt of three lines can hold an obvious spike: a
/// report that only says "nothing to fit" hides both. Built instead of a `LossCurveAnalysis`
/// when the fit cannot start; nothing is projected.
public struct UnfittedRun: Sendable {
  public var series: LossSeries
  public var health: HealthFindings
  /// Why there is no fit, without the file name: `0 finite losses in steps 2–100 (…)`.
  public var reason: String

  /// The health of `series` when `error` says there are too few points to fit, or losses below
  /// zero that no law of curvefit describes; `nil` for any other fit error (a bad range is the
  /// user's to fix, not a verdict on the run).
  public static func check(_ series: LossSeries, options: LossCurveAnalysis.Options, error: FitError) -> UnfittedRun? {
    let reason: String
    switch error {
    case .tooFewPoints(_, let found, let needed, let range):
      // The law counts from step 1: a loss at step 0 (or before) is not one it can fit.
      let atStart = series.steps.contains { $0 <= 0 } ? " after \(series.origin.axis.at(0))" : ""
      reason = "\(found) finite loss\(found == 1 ? "" : "es")\(atStart) \(range), at least \(needed) are needed to fit a curve"
    case .negativeLoss(_, let negative):
      reason = negative.reason
    default:
      return nil
    }
    // No warm-up to protect a fit from: the detectors see every point from the first (or from
    // --from-step), so a run dead from step 1 is reported at step 1.
    let from = options.range.from ?? series.steps.first ?? 0
    var trend: ((Double) -> Double)?
    var trendFitter: (ClosedRange<Double>) -> FittedTrend? = { _ in nil }
    if case .negativeLoss = error, let (raised, shift) = Self.raised(series) {
      if let fit = try? PowerLawFitter().fit(raised), fit.termination.isConvergence {
        trend = { fit.model($0) + shift }
      }
      let fitter = LossCurveAnalysis.trendFitter(raised, PowerLawFitter(), excluding: .none, sums: nil)
      trendFitter = { range in fitter(range)?.shifted(by: shift) }
    }
    let zeros = ZeroLosses.find(series)
    var health = HealthCheck(options: options.health, detector: options.detector).run(
      zeros?.analysed ?? series, fromStep: from, trend: trend, trendFitter: trendFitter, detectPlateaus: trend != nil,
      useGradient: false)
    if !series.losses.contains(where: \.isFinite) {
      health.markNoFiniteLoss()
    }
    guard let zeros, let last = series.steps.last else { return UnfittedRun(series: series, health: health, reason: reason) }
    health.record(zeros.zeros, lastStep: last)
    let why = zeros.zeros.kind == .only ? "every finite loss is exactly 0: there is no curve to fit" : reason
    return UnfittedRun(series: series.noting(zeros.zeros.note(axis: series.origin.axis)), health: health, reason: why)
  }

  /// A loss below zero raised above it, for the detectors' trends only: the power law fitted
  /// to it, lowered back, is the curve's shape. Without one the fast early fall read as a spike
  /// at step 1, a spike later went unseen and no plateau could be told from the trend before it;
  /// no law here is trusted to project such a loss.
  static func raised(_ series: LossSeries) -> (series: LossSeries, shift: Double)? {
    let finite = series.losses.filter(\.isFinite)
    guard let low = finite.min(), let high = finite.max(), high > low else { return nil }
    let shift = low - 0.05 * (high - low)
    let raised = LossSeries(
      sortedSteps: series.steps, losses: series.losses.map { $0 - shift }, gradNorms: nil, learningRates: nil,
      origin: series.origin)
    return (raised, shift)
  }
}
