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

  /// Fits the series, leaving out steps in `excluded` (sorted ascending or not).
  ///
  /// - Throws: `FitError.tooFewPoints` when fewer than five usable points remain.
  public func fit(_ series: LossSeries, excluding excluded: Set<Double> = []) throws(FitError) -> PowerLawFit {
    let (t, y) = try points(series, excluding: excluded)
    return fitPoints(t: t, y: y)
  }

  /// The finite points at positive steps in range and not excluded.
  func points(
    _ series: LossSeries, excluding excluded: Set<Double>
  ) throws(FitError) -> (t: [Double], y: [Double]) {
    let bounds = range.resolved(for: series)
    if let from = range.from, let to = range.to, from >= to {
      throw .invalidRange(from: from, to: to)
    }
    var t: [Double] = []
    var y: [Double] = []
    for i in 0..<series.count {
      let step = series.steps[i]
      let loss = series.losses[i]
      guard step > 0, loss.isFinite, bounds.contains(step) else { continue }
      if !excluded.isEmpty, excluded.contains(step) { continue }
      t.append(step)
      y.append(loss)
    }
    guard t.count >= Self.minimumPoints else {
      let described = "in steps \(formatStep(bounds.lowerBound))–\(formatStep(bounds.upperBound))"
      throw .tooFewPoints(
        source: series.origin.source, found: t.count, needed: Self.minimumPoints, range: described)
    }
    return (t, y)
  }

  /// Fits raw `(t, y)` points (all finite, `t > 0`).
  func fitPoints(t: [Double], y: [Double]) -> PowerLawFit {
    let tRef = t.max() ?? 1
    let binned = binnedPoints(t: t, y: y)
    let problem = PowerLawProblem(x: binned.0.map { $0 / tRef }, y: binned.1, weights: binned.2)
    let start = problem.startingPoint(grid: Self.alphaGrid) ?? [y.min() ?? 0, 1, 0.5]
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

    let (rmse, r2) = goodness(model, t: t, y: y)
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
      parametersAtBound: atBound, warnings: warnings, pointsUsed: t.count,
      fittedPoints: binned.0.count)
  }

  /// The points as fitted: as they are, or as log-spaced bin means above `binThreshold`.
  func binnedPoints(t: [Double], y: [Double]) -> ([Double], [Double], [Double]) {
    t.count > binThreshold ? logBins(t: t, y: y) : (t, y, [Double](repeating: 1, count: t.count))
  }

  /// Means of `t` and `y` in `binCount` bins of equal width in `log t`, weighted by count.
  private func logBins(t: [Double], y: [Double]) -> ([Double], [Double], [Double]) {
    let low = Foundation.log(t.min() ?? 1)
    let high = Foundation.log(t.max() ?? 1)
    let width = max((high - low) / Double(binCount), .leastNormalMagnitude)
    var sumT = [Double](repeating: 0, count: binCount)
    var sumY = [Double](repeating: 0, count: binCount)
    var count = [Double](repeating: 0, count: binCount)
    for i in 0..<t.count {
      let bin = min(binCount - 1, max(0, Int((Foundation.log(t[i]) - low) / width)))
      sumT[bin] += t[i]
      sumY[bin] += y[i]
      count[bin] += 1
    }
    var bt: [Double] = []
    var by: [Double] = []
    var bw: [Double] = []
    for bin in 0..<binCount where count[bin] > 0 {
      bt.append(sumT[bin] / count[bin])
      by.append(sumY[bin] / count[bin])
      bw.append(count[bin])
    }
    return (bt, by, bw)
  }

  private func goodness(_ model: PowerLaw, t: [Double], y: [Double]) -> (Double, Double) {
    let mean = y.reduce(0, +) / Double(y.count)
    var ssr = 0.0
    var sst = 0.0
    for i in 0..<t.count {
      let r = y[i] - model(t[i])
      ssr += r * r
      sst += (y[i] - mean) * (y[i] - mean)
    }
    let rmse = (ssr / Double(t.count)).squareRoot()
    let r2 = sst > 0 ? 1 - ssr / sst : (ssr == 0 ? 1 : 0)
    return (rmse, r2)
  }
}

func formatStep(_ step: Double) -> String {
  step == step.rounded() && abs(step) < 1e15 ? String(Int(step)) : String(step)
}
