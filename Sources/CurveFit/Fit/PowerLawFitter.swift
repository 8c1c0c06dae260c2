import Foundation
import LeastSquares

/// Fits `L(t) = lMin + c·t^(−alpha)` (or its pure or shifted form) to a loss series.
///
/// 1. Select finite losses at positive steps in the fit range, minus any excluded steps
///    (spikes, divergence).
/// 2. Above `binThreshold` points, average them in log-spaced bins weighted by count, so the
///    cost no longer grows with the row count (bins are narrow, so the bias from averaging a
///    convex curve is far below the noise).
/// 3. Start from variable projection over a grid of `alpha`, then refine all three parameters
///    with Levenberg–Marquardt over LAPACK.
/// 4. Covariance from the SVD of the Jacobian, mapped back to `(lMin, c, alpha)`.
public struct PowerLawFitter: Sendable {
  public var range: FitRange
  /// Above this many points, fit log-spaced bin means instead. Default 4,096.
  public var binThreshold: Int
  /// Bins used when binning. Default 1,024.
  public var binCount: Int
  public var solver: LevenbergMarquardt
  /// The form fitted. Default `.power`.
  public var form: PowerLaw.Form = .power
  /// The most negative `t0` the shifted form may take, in steps (0: none). After a warm-up the
  /// annealing law's clock is the rate's area, `S1`, which lags the step by the warm-up's
  /// deficit (`w/2` for a linear one); at a constant rate after it, the power law in `S1` is the
  /// shifted form with `t0 = −deficit`. Fitting from the warm-up's end, the plain power law in
  /// steps reads the lag as a steeper curve (generated runs at a constant rate: α 0.90 for
  /// 0.66, +10% from half), so the shifted form may reach back that far and compete as usual.
  public var shiftFloor: Double = 0

  public static let minimumPoints = 5
  /// The `alpha` grid for starting values: 60 values log-spaced over 0.005…5.
  static let alphaGrid: [Double] = (0..<60).map { 0.005 * Foundation.pow(1000, Double($0) / 59) }

  public init(
    range: FitRange = FitRange(), binThreshold: Int = 4_096, binCount: Int = 1_024,
    solver: LevenbergMarquardt = LevenbergMarquardt()
  ) {
    self.range = range
    self.binThreshold = binThreshold
    self.binCount = binCount
    self.solver = solver
  }

  /// Fits the series, leaving out the steps in `excluded` (spikes, divergence).
  ///
  /// - Throws: `FitError.tooFewPoints` when fewer than five usable points remain.
  public func fit(_ series: LossSeries, excluding excluded: StepRanges = .none) throws(FitError) -> PowerLawFit {
    let points = try collect(series, excluding: excluded)
    return solve(points, series: series)
  }

  /// Fits with fine bins built earlier for the same exclusions (repeated fits of sub-ranges).
  func fit(
    _ series: LossSeries, excluding excluded: StepRanges, sums: LogBinnedSums?
  ) throws(FitError) -> PowerLawFit {
    let points = try collect(series, excluding: excluded, sums: sums)
    return solve(points, series: series)
  }

  /// Fine bins of every usable point of the series outside `excluded`, for repeated fits.
  func binnedSums(_ series: LossSeries, excluding excluded: StepRanges) -> LogBinnedSums? {
    guard series.count > binThreshold else { return nil }
    return LogBinnedSums(series: series, positions: 0..<series.count, excluded: excluded)
  }

  /// The usable points of the fit range, binned when there are many.
  func collect(
    _ series: LossSeries, excluding excluded: StepRanges, sums: LogBinnedSums? = nil
  ) throws(FitError) -> FitPoints {
    if let from = range.from, let to = range.to, from >= to {
      throw .invalidRange(from: from, to: to)
    }
    if let from = range.from, let last = series.steps.last, from > last {
      throw .pastTheEnd(source: series.origin.source, from: from, last: last)
    }
    let bounds = range.resolved(for: series)
    let points = FitPoints(
      series: series, bounds: bounds, excluded: excluded, binThreshold: binThreshold,
      binCount: binCount, sums: sums)
    guard points.used >= Self.minimumPoints else {
      var described = "in \(series.origin.axis.rawValue) \(formatStep(bounds.lowerBound))–\(formatStep(bounds.upperBound))"
      let inRange = series.steps.lowerIndex(atLeast: bounds.lowerBound)..<series.steps.upperIndex(atMost: bounds.upperBound)
      let nonFinite = inRange.reduce(0) { $0 + (series.losses[$1].isFinite ? 0 : 1) }
      if nonFinite > 0 { described += " (\(nonFinite) of its \(inRange.count) losses are NaN or infinite)" }
      throw .tooFewPoints(
        source: series.origin.source, found: points.used, needed: Self.minimumPoints, range: described)
    }
    return points
  }

  /// Starts from variable projection and refines with Levenberg–Marquardt.
  private func solve(_ points: FitPoints, series: LossSeries) -> PowerLawFit {
    let tRef = points.t.max() ?? 1
    let x = points.t.map { $0 / tRef }
    let problem = PowerLawProblem(form: form, x: x, y: points.y, weights: points.weights, shiftLower: shiftFloor / tRef)
    let fallback = form == .pure ? [1, 0.5] : form == .power ? [points.y.min() ?? 0, 1, 0.5] : [points.y.min() ?? 0, 1, 0.5, 0]
    let start = problem.startingPoint(grid: Self.alphaGrid) ?? fallback
    let summary = solver.minimize(problem, from: start)
    let (model, transform) = problem.natural(summary.parameters, tRef: tRef)

    let covariance = Covariance(jacobian: summary.jacobian, residuals: summary.residuals)
    // q = natural parameters, p = solver parameters: cov_q = T·cov_p·Tᵀ, T = ∂q/∂p.
    let natural = covariance.matrix.map { transform.times($0).timesTransposed(transform) }
    let names = form.parameterNames
    var atBound = names.indices.filter { summary.atBound[$0] }.map { names[$0] }
    var warnings: [String] = []
    if form == .shifted, atBound.contains("t0") {
      // t0 = 0 is the plain power law, and the floor the power law in the rate's area: neither
      // is a failure of this fit.
      atBound.removeAll { $0 == "t0" }
      if model.t0 >= 0 { warnings.append("t0 is 0: the shifted form reduces to the plain power law") }
    }
    var standardErrors = natural.map { m in names.indices.map { max(0, m[$0, $0]).squareRoot() } }
    if let errors = standardErrors, !errors.allSatisfy(\.isFinite) { standardErrors = nil }

    let (rmse, r2) = points.goodness(model, series: series)
    if !summary.converged { warnings.append("the fit did not converge: \(summary.reason.sentence)") }
    if let problem = covariance.problem {
      warnings.append("standard errors unavailable: \(problem)")
    }
    for name in atBound {
      warnings.append("\(name) is pinned at its bound; the curve may not have the assumed shape")
    }
    if model.alpha < 0.01 {
      warnings.append("alpha is near 0: the curve shows almost no curvature to extrapolate")
    }
    var fit = PowerLawFit(
      model: model, parameterNames: names, standardErrors: standardErrors, covariance: natural,
      rmse: rmse, r2: r2, iterations: summary.iterations, termination: summary.reason,
      conditionNumber: covariance.conditionNumber, rank: covariance.rank,
      parametersAtBound: atBound, warnings: warnings, pointsUsed: points.used,
      fittedPoints: points.t.count)
    fit.state = FitState(
      x: x, y: points.y, weights: points.weights, tRef: tRef, parameters: summary.parameters,
      residuals: summary.residuals)
    fit.state?.shiftLower = problem.shiftLower
    return fit
  }
}

/// What a refit needs: the fitted points (scaled time), the solver's parameters and residuals.
struct FitState: Sendable {
  var x: [Double]
  var y: [Double]
  var weights: [Double]
  var tRef: Double
  var parameters: [Double]
  /// Weighted residuals `√w·(f − y)` at the solution.
  var residuals: [Double]
  /// The shifted form's lower bound on `s = t0/tRef` (`PowerLawFitter.shiftFloor`), which
  /// every refit keeps.
  var shiftLower = 0.0
  /// The annealing law's second input (`S2` over its scale); empty for power laws.
  var x2: [Double] = []
  var x2Ref = 1.0
  /// Huber's threshold on the weighted log residuals, when the fit was robust.
  var huberDelta: Double?
  /// The annealing law with `λ` fitted: `λ`'s fitted value (the fifth parameter of the refits)
  /// and what `x2` is recomputed from when it moves.
  var lambda: Double?
  var lambdaSource: (curve: LearningRateCurve, steps: [Double], s2Ref: Double)?
  /// The annealing law's prior on `c'` (its row's centre and weight, and its relative spread),
  /// which every refit keeps.
  var prior: (center: Double, weight: Double, spread: Double)?
  /// The annealing law's prior on `log alpha` (centre, spread, weight).
  var exponentPrior: (center: Double, spread: Double, weight: Double)?
  /// Set when the log's decay measured `c'` beyond what the prior allows and the prior on it was
  /// set aside: the prior's centre (solver units) and how many standard deviations above it.
  var priorConflict: (center: Double, z: Double)?
}

func formatStep(_ step: Double) -> String {
  step == step.rounded() && abs(step) < 1e15 ? String(Int(step)) : String(step)
}
