import Foundation
import LeastSquares

/// Fits the annealing law to the steps after warm-up, given the run's learning-rate curve.
///
/// 1. Finite positive losses in the fit range, past warm-up, outside the excluded steps; above
///    `binThreshold` points, means of `binCount` bins of equal width in steps (schedules change
///    linearly in steps, so log-spaced bins would blur a late cooldown).
/// 2. `S1` and `S2` at each point from the curve, in closed form.
/// 3. Variable projection over `alpha` for a start, least squares on log residuals, then Huber
///    (k = 1.345 times the residuals' robust scale) from there.
/// 4. Covariance from the SVD of the Jacobian, mapped to `(L0, A, alpha, C[, lambda])`.
public struct AnnealingLawFitter: Sendable {
  /// The momentum `λ` of the annealing area; fixed unless `fitLambda`.
  public var lambda = AnnealingLaw.defaultLambda
  public var fitLambda = false
  /// Huber-robust log residuals (default); plain least squares on logs when false.
  public var robust = true
  public var binThreshold = 4_096
  public var binCount = 2_048
  /// Up to 1,000 iterations: with `L0`, `A` and `α` nearly collinear on a smooth log (an eval
  /// loss every 250 steps), the solver can still be creeping along the valley at 200 steps
  /// and the fit was withheld as not converged, one step short of its answer.
  public var solver: LevenbergMarquardt = {
    var options = LevenbergMarquardt.Options()
    options.maxIterations = 1_000
    return LevenbergMarquardt(options: options)
  }()
  /// Shrinks `C` towards what real runs show when the log has seen little decay; `nil` fits
  /// the data alone.
  public var prior: AnnealingPrior? = AnnealingPrior()
  /// Sets the prior on `C` aside where the log's decay measures it far above (`AnnealingPrior.conflict`);
  /// off for the fit that keeps it, whose projections the bands then also hold.
  public var checksPriorConflict = true

  public init() {}

  /// The annealing area must reach this (in steps at peak rate) within the fitted steps, or
  /// there is no decay to measure `C` from.
  static let minimumAnnealing = 0.02

  /// Fits `series` on `bounds` (clipped to start after warm-up), leaving out `excluded`.
  ///
  /// - Throws: `FitError.tooFewPoints`, or `.noAnnealing` when the rate does not fall within
  ///   the fitted steps.
  public func fit(
    _ series: LossSeries, curve: LearningRateCurve, bounds: ClosedRange<Double>,
    excluding excluded: StepRanges = .none
  ) throws(FitError) -> AnnealingFit {
    let lower = max(bounds.lowerBound, curve.annealStart)
    guard lower <= bounds.upperBound else {
      throw .tooFewPoints(
        source: series.origin.source, found: 0, needed: PowerLawFitter.minimumPoints,
        range: "after warm-up (\(series.origin.axis.column) \(formatStep(curve.annealStart)))")
    }
    let points = collect(series, bounds: lower...bounds.upperBound, excluded: excluded)
    guard points.used >= PowerLawFitter.minimumPoints + 1 else {
      throw .tooFewPoints(
        source: series.origin.source, found: points.used, needed: PowerLawFitter.minimumPoints + 1,
        range: "in \(series.origin.axis.rawValue) \(formatStep(lower))–\(formatStep(bounds.upperBound)) after warm-up")
    }
    let areas = curve.areas(at: points.t, lambda: lambda)
    let s1Ref = areas.s1.max() ?? 1
    let s2Ref = areas.s2.max() ?? 0
    guard s1Ref > 0 else {
      throw .noAnnealing("\(series.origin.source): the learning rate is zero over the fitted \(series.origin.axis.rawValue)")
    }
    guard s2Ref >= Self.minimumAnnealing || (prior != nil && !fitLambda) else {
      throw .noAnnealing(
        "\(series.origin.source): the learning rate does not decay within \(series.origin.axis.rawValue) "
          + "\(formatStep(lower))–\(formatStep(bounds.upperBound)), so the annealing term cannot be measured")
    }
    // With a prior, a log that has not decayed yet still fits: `C` then comes from the prior.
    let s2Scale = max(s2Ref, prior == nil || fitLambda ? 0 : 1)
    let x1 = areas.s1.map { $0 / s1Ref }
    let x2 = areas.s2.map { $0 / s2Scale }
    let logY = points.y.map { Foundation.log($0) }
    let source = fitLambda ? (curve, points.t, s2Scale) : nil
    // The prior's centre in solver units, `c' = C·S2scale`, at the loss of the last fitted steps.
    let level = Self.median(points.y.suffix(10))
    // With λ fitted the prior's centre would move with it; the user asked to measure the decay.
    let center = fitLambda ? nil : prior.map { $0.center(level: level, lambda: lambda) * s2Scale }
    let rawPoints = points.w.reduce(0, +)
    func priorRow(sigma: Double?) -> (center: Double, scale: Double, weight: Double)? {
      guard let prior, let center, center > 0, let sigma, sigma > 0, sigma.isFinite else { return nil }
      return (center, center, prior.weight(sigma: sigma, points: rawPoints))
    }
    func exponentRow(sigma: Double?) -> (center: Double, spread: Double, weight: Double)? {
      guard let prior, !fitLambda, prior.exponent > 0, prior.exponentSpread > 0, let sigma, sigma > 0, sigma.isFinite
      else { return nil }
      let weight = prior.dataWeight(sigma: sigma, points: rawPoints)
      return (Foundation.log(prior.exponent), prior.exponentSpread, weight)
    }
    let logX1 = x1.map { Foundation.log($0) }
    let rootWeights = points.w.map { $0.squareRoot() }
    func problem(_ delta: Double?, sigma: Double?) -> AnnealingLawProblem {
      var problem = AnnealingLawProblem(
        x1: x1, logX1: logX1, x2: x2, logY: logY, rootWeights: rootWeights, delta: delta, lambdaSource: source)
      problem.prior = priorRow(sigma: sigma)
      problem.exponentPrior = exponentRow(sigma: sigma)
      return problem
    }
    let plain = problem(nil, sigma: nil)
    guard var start = plain.startingPoint(y: points.y, fixedC: center) else {
      throw .noAnnealing("\(series.origin.source): no starting point for the annealing law")
    }
    if fitLambda { start.append(lambda) }
    // The data's residual scale sets how much the prior weighs: from the start, then from the
    // fit with the prior.
    var sigma = Self.robustScale(plain, at: start, count: x1.count)
    var summary = solver.minimize(problem(nil, sigma: sigma), from: start)
    if center != nil { sigma = Self.robustScale(plain, at: summary.parameters, count: x1.count) }
    var delta: Double?
    if robust, let scale = Self.robustScale(plain, at: summary.parameters, count: x1.count) {
      delta = 1.345 * scale
      summary = solver.minimize(problem(delta, sigma: sigma), from: summary.parameters)
    } else if center != nil {
      summary = solver.minimize(problem(nil, sigma: sigma), from: summary.parameters)
    }
    var conflict: (center: Double, z: Double)?
    if checksPriorConflict, let prior, let center, !fitLambda, decayed(curve, at: points.t) {
      var free = problem(delta, sigma: sigma)
      free.prior = nil
      if let setAside = prior.conflict(in: free, from: summary, center: center, points: rawPoints, solver: solver) {
        summary = setAside.summary
        conflict = (center, setAside.z)
      }
    }
    var fit = finish(
      summary, points: points, x1: x1, x2: x2, refs: (s1Ref, s2Scale), delta: delta,
      prior: conflict != nil ? nil : priorRow(sigma: sigma).map { ($0.center, $0.weight, prior?.spread ?? 0) },
      exponentPrior: exponentRow(sigma: sigma),
      series: series, curve: curve)
    fit.state?.priorConflict = conflict
    return fit
  }

  /// Whether the rate has fallen by `AnnealingPrior.conflictDecay` of its peak within the fitted
  /// steps: before that, the log cannot tell a large bonus from the early steps' curvature.
  private func decayed(_ curve: LearningRateCurve, at steps: [Double]) -> Bool {
    guard let peak = curve.rates.max(), peak > 0, let lowest = steps.lazy.map(curve.rate(at:)).min() else {
      return false
    }
    return lowest <= (1 - AnnealingPrior.conflictDecay) * peak
  }

  /// 1.4826 × the median absolute data residual of `problem` at `p` (the prior's row left out);
  /// `nil` when it is zero or not finite.
  private static func robustScale(_ problem: AnnealingLawProblem, at p: [Double], count: Int) -> Double? {
    var residuals = [Double](repeating: 0, count: problem.residualCount)
    problem.residuals(at: p, into: &residuals)
    let deviations = residuals.prefix(count).map(abs).sorted()
    let scale = 1.4826 * deviations[deviations.count / 2]
    return scale > 0 && scale.isFinite ? scale : nil
  }

  private static func median(_ values: ArraySlice<Double>) -> Double {
    let sorted = values.sorted()
    return sorted.isEmpty ? 0 : sorted[sorted.count / 2]
  }

  /// The result with natural parameters, covariance, goodness of fit and warnings.
  private func finish(
    _ summary: LevenbergMarquardt.Summary, points: AnnealingPoints, x1: [Double], x2: [Double],
    refs: (s1: Double, s2: Double), delta: Double?, prior: (center: Double, weight: Double, spread: Double)?,
    exponentPrior: (center: Double, spread: Double, weight: Double)?,
    series: LossSeries, curve: LearningRateCurve
  ) -> AnnealingFit {
    let p = summary.parameters
    let fittedLambda = fitLambda ? p[4] : lambda
    let scale = Foundation.pow(refs.s1, p[2])
    let model = AnnealingLaw(l0: p[0], a: p[1] * scale, alpha: p[2], c: p[3] / refs.s2, lambda: fittedLambda)
    var rows: [[Double]] = [
      [1, 0, 0, 0], [0, scale, model.a * Foundation.log(refs.s1), 0], [0, 0, 1, 0], [0, 0, 0, 1 / refs.s2],
    ]
    var names = AnnealingLaw.parameterNames
    if fitLambda {
      rows = rows.map { $0 + [0] } + [[0, 0, 0, 0, 1]]
      names.append("lambda")
    }
    let transform = Matrix(rowMajor: rows)
    let covariance = Covariance(jacobian: summary.jacobian, residuals: summary.residuals)
    let natural = covariance.matrix.map { transform.times($0).timesTransposed(transform) }
    var standardErrors = natural.map { m in names.indices.map { max(0, m[$0, $0]).squareRoot() } }
    if let errors = standardErrors, !errors.allSatisfy(\.isFinite) { standardErrors = nil }
    let atBound = names.indices.filter { summary.atBound[$0] }.map { names[$0] }
    var warnings: [String] = []
    if !summary.converged { warnings.append("the annealing fit did not converge: \(summary.reason.sentence)") }
    if let problem = covariance.problem { warnings.append("standard errors unavailable: \(problem)") }
    for name in atBound {
      warnings.append("\(name) is pinned at its bound; the curve may not follow the annealing law")
    }
    let (rmse, r2) = goodness(model, series: series, curve: curve, points: points)
    // Fitted on log losses, the law can trade a gross miss of a log's first steps for its tail
    // (a fine-tune falling a thousandfold): worse than a flat line in loss units, it is not this
    // curve, whatever the solver says.
    if r2 < 0 {
      warnings.append("the law fits these steps worse than their mean loss (R² \(NumberFormat.significant(r2, 3))): it does not describe this curve")
    }
    var fit = AnnealingFit(
      model: model, parameterNames: names, standardErrors: standardErrors, covariance: natural,
      rmse: rmse, r2: r2, iterations: summary.iterations, termination: summary.reason,
      conditionNumber: covariance.conditionNumber, rank: covariance.rank, parametersAtBound: atBound,
      warnings: warnings, pointsUsed: points.used, fittedPoints: points.t.count)
    // The bootstrap resamples around the fitted curve, so with λ fitted its inputs are the
    // areas at the fitted λ, not at the starting one the points were first measured with; and
    // its refits fit λ again.
    let fittedX2 = fitLambda
      ? curve.areas(at: points.t, lambda: fittedLambda).s2.map { $0 / refs.s2 } : x2
    fit.state = FitState(
      x: x1, y: points.y, weights: points.w, tRef: refs.s1, parameters: Array(p.prefix(4)),
      residuals: summary.residuals, x2: fittedX2, x2Ref: refs.s2, huberDelta: delta,
      lambda: fitLambda ? fittedLambda : nil,
      lambdaSource: fitLambda ? (curve, points.t, refs.s2) : nil, prior: prior, exponentPrior: exponentPrior)
    return fit
  }

  // MARK: - Points

  struct AnnealingPoints {
    var t: [Double]
    var y: [Double]
    var w: [Double]
    /// Σy² of the raw points in each bin (the goodness of fit without a second pass).
    var sumSquares: [Double] = []
    var used: Int
    var positions: Range<Int>
    var excluded: StepRanges
  }

  private func collect(_ series: LossSeries, bounds: ClosedRange<Double>, excluded: StepRanges) -> AnnealingPoints {
    let low = series.steps.lowerIndex(atLeast: bounds.lowerBound)
    let high = series.steps.upperIndex(atMost: bounds.upperBound)
    let positions = low..<max(low, high)
    // Few rows: every point as it is. Many: binned in the same single pass that counts them (a
    // sparse range whose bins hold few points still fits correctly, one point per bin).
    var count = 0
    if positions.count <= binThreshold {
      FitPoints.forEachUsable(series, positions, excluded) { _, loss in if loss > 0 { count += 1 } }
    }
    if positions.count <= binThreshold {
      var t: [Double] = []
      var y: [Double] = []
      t.reserveCapacity(count)
      y.reserveCapacity(count)
      FitPoints.forEachUsable(series, positions, excluded) { step, loss in
        guard loss > 0 else { return }
        t.append(step)
        y.append(loss)
      }
      return AnnealingPoints(
        t: t, y: y, w: [Double](repeating: 1, count: count), used: count, positions: positions,
        excluded: excluded)
    }
    let width = (bounds.upperBound - bounds.lowerBound) / Double(binCount)
    var sumT = [Double](repeating: 0, count: binCount)
    var sumY = sumT
    var sumYY = sumT
    var counts = sumT
    FitPoints.forEachUsable(series, positions, excluded) { step, loss in
      guard loss > 0 else { return }
      let bin = width > 0 ? min(binCount - 1, Int((step - bounds.lowerBound) / width)) : 0
      sumT[bin] += step
      sumY[bin] += loss
      sumYY[bin] += loss * loss
      counts[bin] += 1
    }
    count = Int(counts.reduce(0, +))
    var points = AnnealingPoints(t: [], y: [], w: [], used: count, positions: positions, excluded: excluded)
    for bin in 0..<binCount where counts[bin] > 0 {
      points.t.append(sumT[bin] / counts[bin])
      points.y.append(sumY[bin] / counts[bin])
      points.w.append(counts[bin])
      points.sumSquares.append(sumYY[bin])
    }
    return points
  }

  /// RMSE and R² over the raw points (in loss units). Binned, from each bin's sums with the law
  /// taken as constant across the bin (bins are 1/2,048 of the steps: far narrower than any change
  /// of the curve); otherwise point by point.
  private func goodness(
    _ model: AnnealingLaw, series: LossSeries, curve: LearningRateCurve, points: AnnealingPoints
  ) -> (rmse: Double, r2: Double) {
    if !points.sumSquares.isEmpty {
      let predicted = model.losses(at: points.t, on: curve)
      var ssr = 0.0
      var sum = 0.0
      var sumSquares = 0.0
      var count = 0.0
      for k in points.t.indices {
        let (n, mean, squares) = (points.w[k], points.y[k], points.sumSquares[k])
        ssr += max(0, squares - 2 * predicted[k] * mean * n + n * predicted[k] * predicted[k])
        sum += mean * n
        sumSquares += squares
        count += n
      }
      let sst = sumSquares - sum * sum / count
      return ((ssr / count).squareRoot(), sst > 0 ? 1 - ssr / sst : 0)
    }
    var steps: [Double] = []
    var losses: [Double] = []
    var ssr = 0.0
    var sum = 0.0
    var sumSquares = 0.0
    var count = 0.0
    func flush() {
      let predicted = model.losses(at: steps, on: curve)
      for k in steps.indices {
        let r = losses[k] - predicted[k]
        ssr += r * r
        sum += losses[k]
        sumSquares += losses[k] * losses[k]
        count += 1
      }
      steps.removeAll(keepingCapacity: true)
      losses.removeAll(keepingCapacity: true)
    }
    FitPoints.forEachUsable(series, points.positions, points.excluded) { step, loss in
      guard loss > 0 else { return }
      steps.append(step)
      losses.append(loss)
      if steps.count == 1 << 16 { flush() }
    }
    flush()
    guard count > 0 else { return (.nan, .nan) }
    let sst = sumSquares - sum * sum / count
    return ((ssr / count).squareRoot(), sst > 0 ? 1 - ssr / sst : 0)
  }
}
