import Foundation
import LeastSquares

/// Fits `L(t) = lMin + c·t^(−alpha)` to a loss series.
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
    let bounds = range.resolved(for: series)
    let points = FitPoints(
      series: series, bounds: bounds, excluded: excluded, binThreshold: binThreshold,
      binCount: binCount, sums: sums)
    guard points.used >= Self.minimumPoints else {
      let described = "in steps \(formatStep(bounds.lowerBound))–\(formatStep(bounds.upperBound))"
      throw .tooFewPoints(
        source: series.origin.source, found: points.used, needed: Self.minimumPoints, range: described)
    }
    return points
  }

  /// Starts from variable projection and refines with Levenberg–Marquardt.
  private func solve(_ points: FitPoints, series: LossSeries) -> PowerLawFit {
    let tRef = points.t.max() ?? 1
    let problem = PowerLawProblem(x: points.t.map { $0 / tRef }, y: points.y, weights: points.weights)
    let start = problem.startingPoint(grid: Self.alphaGrid) ?? [points.y.min() ?? 0, 1, 0.5]
    let summary = solver.minimize(problem, from: start)
    let p = summary.parameters
    let model = PowerLaw(lMin: p[0], c: p[1] * Foundation.pow(tRef, p[2]), alpha: p[2])

    let covariance = Covariance(jacobian: summary.jacobian, residuals: summary.residuals)
    var natural: Matrix?
    if let scaled = covariance.matrix {
      // q = (lMin, c, alpha) with c = c'·tRef^alpha; cov_q = T·cov_p·Tᵀ, T = ∂q/∂p.
      let logRef = Foundation.log(tRef)
      let transform = Matrix(rowMajor: [
        [1, 0, 0], [0, Foundation.pow(tRef, p[2]), model.c * logRef], [0, 0, 1],
      ])
      natural = transform.times(scaled).timesTransposed(transform)
    }
    let names = PowerLaw.parameterNames
    let atBound = names.indices.filter { summary.atBound[$0] }
      .map { names[$0] }
    var standardErrors = natural.map { m in (0..<3).map { max(0, m[$0, $0]).squareRoot() } }
    if let errors = standardErrors, !errors.allSatisfy(\.isFinite) { standardErrors = nil }

    let (rmse, r2) = points.goodness(model, series: series)
    var warnings: [String] = []
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
    return PowerLawFit(
      model: model, parameterNames: names, standardErrors: standardErrors, covariance: natural,
      rmse: rmse, r2: r2, iterations: summary.iterations, termination: summary.reason,
      conditionNumber: covariance.conditionNumber, rank: covariance.rank,
      parametersAtBound: atBound, warnings: warnings, pointsUsed: points.used,
      fittedPoints: points.t.count)
  }
}

func formatStep(_ step: Double) -> String {
  step == step.rounded() && abs(step) < 1e15 ? String(Int(step)) : String(step)
}
