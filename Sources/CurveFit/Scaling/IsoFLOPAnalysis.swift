import Foundation

/// Approach 2 of Hoffmann et al. (2022): at each compute budget the model size with the lowest
/// loss, N*(C), then power laws N* = k·C^a and D* = k'·C^b through those minima.
public struct IsoFLOPAnalysis: Sendable {
  public var budgets: [IsoFLOPBudget]
  public var method: IsoFLOPMethod
  /// Scatter of log loss about a smooth bottom, pooled over budgets (it chose the method).
  public var scatter: Double?
  /// Exponents and coefficients, nil with `unfitted` saying why when fewer than three budgets have a minimum.
  public var a: Double?
  public var b: Double?
  public var coefficientN: Double?
  public var coefficientD: Double?
  public var ci95: (a: ClosedRange<Double>, b: ClosedRange<Double>)?
  public var unfitted: String?
  public var predictions: [Prediction] = []
  /// The 95% band of N*(C) = k·C^a from the resampled lines, over the budgets and the `--compute` ones.
  public var band: [(compute: Double, low: Double, high: Double)] = []
  public var resamples: Int
  public var resamplesUsed: Int = 0
  public var tokensFromCompute: Bool

  /// The compute-optimal N and D the power laws give for a budget.
  public struct Prediction: Sendable {
    public var compute: Double
    public var n: Double
    public var d: Double
    public var ci95: (n: ClosedRange<Double>, d: ClosedRange<Double>)?
  }

  public struct Options: Sendable {
    public var resamples = 1_000
    public var seed: UInt64 = 0
    /// Budgets at which to report the compute-optimal N and D.
    public var budgets: [Double] = []
    /// Forces a method; by default the scatter of the points decides.
    public var method: IsoFLOPMethod?
    public init() {}
  }

  /// Below this scatter (in log loss) the points pin the curve and may be interpolated; above it
  /// a parabola averages the noise out. Porian et al.'s sweeps scatter 0.2–0.5%; a 1% noise is smoothed.
  static let interpolationScatter = 0.0075
  /// Interpolation also needs sizes close together: with sizes a factor 2 apart Akima's curve
  /// misplaces a smooth minimum by ~10% (generated Chinchilla sweeps), a parabola by ~4%.
  /// Porian et al.'s sizes are a factor 1.2–1.5 apart.
  static let interpolationSpacing = 1.6
  /// Runs whose compute lies within this relative distance form one budget.
  static let budgetTolerance = 0.01

  /// The budgets of a table: runs grouped by compute, in increasing order.
  public static func budgets(compute: [Double]) -> [[Int]] {
    let order = compute.indices.filter { compute[$0] > 0 && compute[$0].isFinite }.sorted { compute[$0] < compute[$1] }
    var groups: [[Int]] = []
    var start = 0.0
    for row in order {
      if let last = groups.indices.last, compute[row] <= start * (1 + budgetTolerance) {
        groups[last].append(row)
      } else {
        groups.append([row])
        start = compute[row]
      }
    }
    return groups
  }

  /// True when at least three budgets each hold three or more model sizes, and those budgets
  /// hold two thirds of the runs: an isoFLOP sweep, not runs whose compute happens to coincide.
  public static func looksLikeSweep(n: [Double], compute: [Double]) -> Bool {
    let swept = budgets(compute: compute).filter { rows in Set(rows.map { n[$0] }).count >= 3 }
    return swept.count >= 3 && 3 * swept.reduce(0) { $0 + $1.count } >= 2 * n.count
  }

  public static func run(
    n: [Double], d: [Double], loss: [Double], compute: [Double], tokensFromCompute: Bool, options: Options
  ) -> IsoFLOPAnalysis {
    let groups = budgets(compute: compute).filter { rows in rows.allSatisfy { n[$0] > 0 && d[$0] > 0 && loss[$0] > 0 } }
    let curves = groups.map { IsoFLOPCurve(rows: $0, n: n, d: d, loss: loss) }
    var sum = 0.0
    var dof = 0
    for curve in curves {
      if let local = curve.localScatter() {
        sum += local.sum
        dof += local.dof
      }
    }
    let scatter = dof > 0 ? (sum / Double(dof)).squareRoot() : nil
    let gaps = curves.flatMap { curve in zip(curve.logN, curve.logN.dropFirst()).map { $1 - $0 } }.sorted()
    let spacing = gaps.isEmpty ? .infinity : gaps[gaps.count / 2]
    let interpolate = (scatter ?? 0) < interpolationScatter && spacing <= log(interpolationSpacing)
    let method = options.method ?? (interpolate ? .interpolation : .parabola)

    var budgets: [IsoFLOPBudget] = []
    for (rows, curve) in zip(groups, curves) {
      let c = rows.map { compute[$0] }.sorted()[rows.count / 2]
      let sizes = rows.map { n[$0] }
      var budget = IsoFLOPBudget(
        compute: c, rows: rows, sizes: curve.count, nRange: sizes.min()!...sizes.max()!)
      switch curve.minimum(method) {
      case .success(let optimum):
        budget.nOpt = exp(optimum.x)
        budget.dOpt = exp(optimum.logD)
        budget.lossOpt = exp(optimum.logLoss)
        budget.pointsUsed = optimum.used.count
        budget.usedRange = exp(curve.logN[optimum.used.lowerBound])...exp(curve.logN[optimum.used.upperBound])
      case .failure(let gap):
        budget.excluded = gap.reason
      }
      budgets.append(budget)
    }
    var analysis = IsoFLOPAnalysis(
      budgets: budgets, method: method, scatter: scatter, resamples: options.resamples,
      tokensFromCompute: tokensFromCompute)
    analysis.fit(n: n, d: d, loss: loss, options: options)
    return analysis
  }

  /// Bootstraps the runs within each budget for every budget's spread, then fits the power laws
  /// weighted by those spreads and reads the intervals off the same resamples.
  private mutating func fit(n: [Double], d: [Double], loss: [Double], options: Options) {
    let fitted = budgets.indices.filter { budgets[$0].nOpt != nil }
    guard fitted.count >= 3 else {
      unfitted = "only \(fitted.count) budget\(fitted.count == 1 ? " has" : "s have") a minimum inside the sizes tried (3 needed)"
      return
    }
    let method = self.method
    let strata = fitted.map { budgets[$0].rows }
    // Each resample: every fitted budget's (log N*, log D*), NaN where the minimum left the sizes.
    let samples = Bootstrap(resamples: options.resamples, seed: options.seed).run(strata: strata) { resampled in
      var values: [Double] = []
      for rows in resampled {
        let curve = IsoFLOPCurve(rows: rows, n: n, d: d, loss: loss)
        if case .success(let optimum) = curve.minimum(method) {
          values += [optimum.x, optimum.logD]
        } else {
          values += [.nan, .nan]
        }
      }
      return values
    }
    let logC = fitted.map { log(budgets[$0].compute) }
    var weights: [Double] = []
    for (k, index) in fitted.enumerated() {
      let xs = samples.map { $0[2 * k] }.filter(\.isFinite)
      let ds = samples.map { $0[2 * k + 1] }.filter(\.isFinite)
      let spread = Self.standardDeviation(xs)
      budgets[index].spread = spread
      // A floor: a budget whose minimum never moved in the resamples is not infinitely precise.
      weights.append(1 / pow(max(spread ?? 0.01, 0.01), 2))
      let low95 = Bootstrap.intervals([xs, ds].transposed(), level: 0.95)
      if low95.count == 2, let ciN = low95[0], let ciD = low95[1] {
        budgets[index].ci95 = (exp(ciN.lowerBound)...exp(ciN.upperBound), exp(ciD.lowerBound)...exp(ciD.upperBound))
      }
    }
    let logN = fitted.map { log(budgets[$0].nOpt!) }
    let logD = fitted.map { log(budgets[$0].dOpt!) }
    guard let lineN = Self.weightedLine(x: logC, y: logN, w: weights),
      let lineD = Self.weightedLine(x: logC, y: logD, w: weights)
    else {
      unfitted = "the budgets' minima do not determine a line"
      return
    }
    a = lineN.slope
    b = lineD.slope
    coefficientN = exp(lineN.intercept)
    coefficientD = exp(lineD.intercept)

    let targets = options.budgets
    var replicate: [[Double]] = []
    var lines: [(slope: Double, intercept: Double)] = []
    for sample in samples {
      let valid = fitted.indices.filter { sample[2 * $0].isFinite }
      guard valid.count >= 3,
        let rn = Self.weightedLine(x: valid.map { logC[$0] }, y: valid.map { sample[2 * $0] }, w: valid.map { weights[$0] }),
        let rd = Self.weightedLine(x: valid.map { logC[$0] }, y: valid.map { sample[2 * $0 + 1] }, w: valid.map { weights[$0] })
      else { continue }
      lines.append(rn)
      var row = [rn.slope, rd.slope]
      for c in targets { row += [rn.intercept + rn.slope * log(c), rd.intercept + rd.slope * log(c)] }
      replicate.append(row)
    }
    resamplesUsed = replicate.count
    let spanLow = logC.min()!
    let spanHigh = max(logC.max()!, targets.map { log($0) }.max() ?? -.infinity)
    if lines.count >= 10 {
      band = (0..<24).map { k in
        let x = spanLow + (spanHigh - spanLow) * Double(k) / 23
        let values = lines.map { $0.intercept + $0.slope * x }.sorted()
        return (exp(x), exp(Bootstrap.percentile(values, 0.025)), exp(Bootstrap.percentile(values, 0.975)))
      }
    }
    let intervals = Bootstrap.intervals(replicate, level: 0.95)
    if intervals.count >= 2, let ciA = intervals[0], let ciB = intervals[1] {
      // The point estimate stays inside its own interval even when the resamples are lopsided.
      ci95 = (min(ciA.lowerBound, lineN.slope)...max(ciA.upperBound, lineN.slope),
        min(ciB.lowerBound, lineD.slope)...max(ciB.upperBound, lineD.slope))
    }
    predictions = targets.enumerated().map { k, c in
      let pn = lineN.intercept + lineN.slope * log(c)
      let pd = lineD.intercept + lineD.slope * log(c)
      var prediction = Prediction(compute: c, n: exp(pn), d: exp(pd))
      if intervals.count > 2 + 2 * k + 1, let ciN = intervals[2 + 2 * k], let ciD = intervals[2 + 2 * k + 1] {
        prediction.ci95 = (exp(min(ciN.lowerBound, pn))...exp(max(ciN.upperBound, pn)),
          exp(min(ciD.lowerBound, pd))...exp(max(ciD.upperBound, pd)))
      }
      return prediction
    }
  }

  static func weightedLine(x: [Double], y: [Double], w: [Double]) -> (slope: Double, intercept: Double)? {
    let total = w.reduce(0, +)
    guard x.count >= 2, total > 0 else { return nil }
    let mx = zip(x, w).reduce(0) { $0 + $1.0 * $1.1 } / total
    let my = zip(y, w).reduce(0) { $0 + $1.0 * $1.1 } / total
    var sxx = 0.0
    var sxy = 0.0
    for i in x.indices {
      sxx += w[i] * (x[i] - mx) * (x[i] - mx)
      sxy += w[i] * (x[i] - mx) * (y[i] - my)
    }
    guard sxx > 0 else { return nil }
    let slope = sxy / sxx
    return (slope, my - slope * mx)
  }

  static func standardDeviation(_ values: [Double]) -> Double? {
    guard values.count >= 10 else { return nil }
    let mean = values.reduce(0, +) / Double(values.count)
    return (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count - 1)).squareRoot()
  }
}

extension Array where Element == [Double] {
  /// Rows to columns (all rows the same length).
  fileprivate func transposed() -> [[Double]] {
    guard let width = first?.count else { return [] }
    return (0..<width).map { column in map { $0[column] } }
  }
}
