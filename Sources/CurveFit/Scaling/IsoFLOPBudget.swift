import Foundation

/// The runs trained at one compute budget, and where along log N their loss is lowest.
public struct IsoFLOPBudget: Sendable {
  public var compute: Double
  /// Rows of the table at this budget.
  public var rows: [Int]
  /// Distinct model sizes (the lowest loss kept where a size was trained more than once).
  public var sizes: Int
  public var nRange: ClosedRange<Double>
  /// The optimum, or nil with `excluded` saying why.
  public var nOpt: Double?
  public var dOpt: Double?
  public var lossOpt: Double?
  public var ci95: (n: ClosedRange<Double>, d: ClosedRange<Double>)?
  /// Sizes the minimum was read from (all of them when interpolating; the window when fitting a parabola).
  public var pointsUsed: Int = 0
  public var usedRange: ClosedRange<Double>?
  public var excluded: String?
  /// Bootstrap spread of log N*, which weights the budget in the power-law fit.
  public var spread: Double?
}

/// How a budget's minimum is read off its points.
public enum IsoFLOPMethod: String, Sendable {
  /// Akima interpolation of log loss over log N, minimum on a fine grid (Porian et al. 2024).
  case interpolation = "akima"
  /// A least-squares parabola of log loss over log N through the sizes around the lowest loss
  /// (Hoffmann et al. 2022, approach 2).
  case parabola
}

/// One budget's points, sorted by N, with repeated sizes collapsed to their lowest loss.
struct IsoFLOPCurve {
  var logN: [Double] = []
  var logD: [Double] = []
  var logLoss: [Double] = []

  init(rows: [Int], n: [Double], d: [Double], loss: [Double]) {
    let sorted = rows.sorted { n[$0] < n[$1] || (n[$0] == n[$1] && loss[$0] < loss[$1]) }
    for row in sorted {
      let x = log(n[row])
      if let last = logN.last, abs(x - last) < 1e-9 { continue }
      logN.append(x)
      logD.append(log(d[row]))
      logLoss.append(log(loss[row]))
    }
  }

  var count: Int { logN.count }

  /// The minimum as (log N*, log D*, log L*), the number of sizes used and their log-N range,
  /// or the reason there is none.
  func minimum(_ method: IsoFLOPMethod) -> Result<(x: Double, logD: Double, logLoss: Double, used: ClosedRange<Int>), IsoFLOPGap> {
    guard count >= 3 else { return .failure(.tooFewSizes(count)) }
    guard let lowest = logLoss.indices.min(by: { logLoss[$0] < logLoss[$1] }) else { return .failure(.tooFewSizes(0)) }
    if lowest == 0 { return .failure(.atSmallest) }
    if lowest == count - 1 { return .failure(.atLargest) }
    switch method {
    case .interpolation:
      guard let spline = AkimaSpline(x: logN, y: logLoss) else { return .failure(.tooFewSizes(count)) }
      let steps = (count - 1) * 25
      let first = logN[0]
      let width = logN[count - 1] - first
      var best = 0
      var bestValue = Double.infinity
      for k in 0..<steps {
        let value = spline(first + width * Double(k) / Double(steps - 1))
        if value < bestValue {
          bestValue = value
          best = k
        }
      }
      if best == 0 { return .failure(.atSmallest) }
      if best == steps - 1 { return .failure(.atLargest) }
      let x = first + width * Double(best) / Double(steps - 1)
      return .success((x, interpolatedLogD(at: x), bestValue, 0...(count - 1)))
    case .parabola:
      let window = parabolaWindow(around: lowest)
      guard let fit = Self.parabola(x: Array(logN[window]), y: Array(logLoss[window])) else {
        return .failure(.notCurved)
      }
      let x = -fit.b / (2 * fit.c)
      guard x >= logN[window.lowerBound], x <= logN[window.upperBound] else {
        return .failure(x < logN[window.lowerBound] ? .atSmallest : .atLargest)
      }
      return .success((x, interpolatedLogD(at: x), fit.a + x * (fit.b + x * fit.c), window))
    }
  }

  /// The sizes whose loss is within 25% of the lowest, contiguous around it, widened to the five
  /// nearest in log N when fewer: far-off sizes (a model ten times too big at a small budget)
  /// would bend a parabola that must describe the bottom of the curve.
  func parabolaWindow(around lowest: Int) -> ClosedRange<Int> {
    let limit = logLoss[lowest] + log(1.25)
    var low = lowest
    var high = lowest
    while low > 0 && logLoss[low - 1] <= limit { low -= 1 }
    while high < count - 1 && logLoss[high + 1] <= limit { high += 1 }
    while high - low + 1 < min(5, count) {
      if low > 0 && (high == count - 1 || logN[lowest] - logN[low - 1] <= logN[high + 1] - logN[lowest]) {
        low -= 1
      } else {
        high += 1
      }
    }
    return low...high
  }

  /// Residual sum of squares and degrees of freedom of a parabola through the five sizes nearest
  /// the lowest loss: the scatter of the points about a smooth bottom.
  func localScatter() -> (sum: Double, dof: Int)? {
    guard count >= 4, let lowest = logLoss.indices.min(by: { logLoss[$0] < logLoss[$1] }) else { return nil }
    var low = lowest
    var high = lowest
    while high - low + 1 < min(5, count) {
      if low > 0 && (high == count - 1 || logN[lowest] - logN[low - 1] <= logN[high + 1] - logN[lowest]) {
        low -= 1
      } else {
        high += 1
      }
    }
    let xs = Array(logN[low...high])
    let ys = Array(logLoss[low...high])
    guard let fit = Self.parabola(x: xs, y: ys, requireConvex: false) else { return nil }
    let sum = zip(xs, ys).reduce(0.0) { total, point in
      let r = point.1 - (fit.a + point.0 * (fit.b + point.0 * fit.c))
      return total + r * r
    }
    return (sum, xs.count - 3)
  }

  /// The curve the minimum was read from, as (log N, log loss) points for a plot: the spline
  /// over all sizes, or the parabola over its window.
  func profile(_ method: IsoFLOPMethod, points: Int = 60) -> [(x: Double, y: Double)] {
    guard count >= 3 else { return [] }
    switch method {
    case .interpolation:
      guard let spline = AkimaSpline(x: logN, y: logLoss) else { return [] }
      return (0..<points).map { k in
        let x = logN[0] + (logN[count - 1] - logN[0]) * Double(k) / Double(points - 1)
        return (x, spline(x))
      }
    case .parabola:
      guard let lowest = logLoss.indices.min(by: { logLoss[$0] < logLoss[$1] }) else { return [] }
      let window = parabolaWindow(around: lowest)
      guard let fit = Self.parabola(x: Array(logN[window]), y: Array(logLoss[window])) else { return [] }
      let low = logN[window.lowerBound]
      let high = logN[window.upperBound]
      return (0..<points).map { k in
        let x = low + (high - low) * Double(k) / Double(points - 1)
        return (x, fit.a + x * (fit.b + x * fit.c))
      }
    }
  }

  private func interpolatedLogD(at x: Double) -> Double {
    guard let upper = logN.firstIndex(where: { $0 >= x }), upper > 0 else { return logD[0] }
    let lower = upper - 1
    let t = (x - logN[lower]) / (logN[upper] - logN[lower])
    return logD[lower] + t * (logD[upper] - logD[lower])
  }

  /// Least-squares `a + b·x + c·x²` (centred for conditioning); nil unless it curves up.
  static func parabola(x: [Double], y: [Double], requireConvex: Bool = true) -> (a: Double, b: Double, c: Double)? {
    guard x.count >= 3 else { return nil }
    let mean = x.reduce(0, +) / Double(x.count)
    var s = [Double](repeating: 0, count: 5)
    var t = [Double](repeating: 0, count: 3)
    for (xi, yi) in zip(x, y) {
      let u = xi - mean
      var power = 1.0
      for k in 0..<5 {
        s[k] += power
        if k < 3 { t[k] += power * yi }
        power *= u
      }
    }
    // Normal equations by Cramer's rule: 3×3 and well conditioned once centred.
    let m = [[s[0], s[1], s[2]], [s[1], s[2], s[3]], [s[2], s[3], s[4]]]
    func det(_ a: [[Double]]) -> Double {
      a[0][0] * (a[1][1] * a[2][2] - a[1][2] * a[2][1]) - a[0][1] * (a[1][0] * a[2][2] - a[1][2] * a[2][0])
        + a[0][2] * (a[1][0] * a[2][1] - a[1][1] * a[2][0])
    }
    let d = det(m)
    guard abs(d) > 1e-300 else { return nil }
    func replaced(_ column: Int) -> [[Double]] {
      var copy = m
      for row in 0..<3 { copy[row][column] = t[row] }
      return copy
    }
    let a0 = det(replaced(0)) / d
    let b0 = det(replaced(1)) / d
    let c0 = det(replaced(2)) / d
    if requireConvex && !(c0 > 0) { return nil }
    // Back from u = x − mean to x.
    return (a0 - b0 * mean + c0 * mean * mean, b0 - 2 * c0 * mean, c0)
  }
}

/// Why a budget gives no optimum.
enum IsoFLOPGap: Error, Equatable {
  case tooFewSizes(Int)
  case atSmallest
  case atLargest
  case notCurved

  var reason: String {
    switch self {
    case .tooFewSizes(let count): "only \(count) model size\(count == 1 ? "" : "s")"
    case .atSmallest: "lowest loss at the smallest size tried"
    case .atLargest: "lowest loss at the largest size tried"
    case .notCurved: "the losses do not curve up around the lowest"
    }
  }
}
