import Foundation

extension PowerLawFitter {
  /// A power law that loss spikes cannot drag: Huber-weighted least squares by iteratively
  /// reweighted fits (Huber's k = 1.345, scale from the median absolute residual).
  ///
  /// Used as the first trend the health detectors compare against, before anything is known
  /// to be an anomaly; a plain least-squares fit bends towards a ×30 spike. `nil` when there
  /// are too few points.
  public func robustTrend(_ series: LossSeries) -> PowerLaw? {
    robustTrend(series, sums: nil)
  }

  func robustTrend(_ series: LossSeries, sums: LogBinnedSums?) -> PowerLaw? {
    guard let points = try? collect(series, excluding: .none, sums: sums) else { return nil }
    let (bt, by, counts) = (points.t, points.y, points.weights)
    let tRef = bt.max() ?? 1
    let x = bt.map { $0 / tRef }
    var weights = counts
    var parameters: [Double]?
    for _ in 0..<6 {
      let problem = PowerLawProblem(form: .power, x: x, y: by, weights: weights)
      guard let start = parameters ?? problem.startingPoint(grid: Self.alphaGrid) else { return nil }
      let p = solver.minimize(problem, from: start).parameters
      parameters = p
      let residuals = (0..<x.count).map { by[$0] - (p[0] + p[1] * Foundation.pow(x[$0], -p[2])) }
      let sorted = residuals.map(abs).sorted()
      let scale = 1.4826 * sorted[sorted.count / 2]
      guard scale > 0 else { break }
      let k = 1.345 * scale
      weights = (0..<x.count).map { i in counts[i] * min(1, k / max(abs(residuals[i]), .leastNormalMagnitude)) }
    }
    guard let p = parameters else { return nil }
    return PowerLaw(lMin: p[0], c: p[1] * Foundation.pow(tRef, p[2]), alpha: p[2])
  }
}
