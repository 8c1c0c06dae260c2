/// Akima's (1970) piecewise-cubic interpolant: it passes through every point, and its slopes are
/// weighted so that a lone outlier bends the curve only nearby (no overshoot between points the
/// way a natural cubic spline rings). Porian et al. (2024) interpolate isoFLOP curves with it.
struct AkimaSpline {
  let x: [Double]
  let y: [Double]
  let slopes: [Double]

  /// Needs at least two points with strictly increasing `x`.
  init?(x: [Double], y: [Double]) {
    guard x.count >= 2, x.count == y.count, zip(x, x.dropFirst()).allSatisfy({ $0 < $1 }) else { return nil }
    self.x = x
    self.y = y
    let n = x.count
    // Secant slopes, padded by two on each side by linear extrapolation of the secants.
    var m = Array(repeating: 0.0, count: n + 3)
    for i in 0..<(n - 1) { m[i + 2] = (y[i + 1] - y[i]) / (x[i + 1] - x[i]) }
    if n == 2 {
      m[1] = m[2]; m[0] = m[2]; m[3] = m[2]; m[4] = m[2]
    } else {
      m[1] = 2 * m[2] - m[3]
      m[0] = 2 * m[1] - m[2]
      m[n + 1] = 2 * m[n] - m[n - 1]
      m[n + 2] = 2 * m[n + 1] - m[n]
    }
    var t = Array(repeating: 0.0, count: n)
    for i in 0..<n {
      let w1 = abs(m[i + 3] - m[i + 2])
      let w2 = abs(m[i + 1] - m[i])
      t[i] = w1 + w2 > 1e-12 * (abs(m[i + 1]) + abs(m[i + 2]) + 1e-300)
        ? (w1 * m[i + 1] + w2 * m[i + 2]) / (w1 + w2)
        : 0.5 * (m[i + 1] + m[i + 2])
    }
    slopes = t
  }

  func callAsFunction(_ value: Double) -> Double {
    var i = 0
    var hi = x.count - 1
    // Largest i with x[i] <= value (clamped to the first and last interval).
    while hi - i > 1 {
      let mid = (i + hi) / 2
      if x[mid] <= value { i = mid } else { hi = mid }
    }
    let h = x[i + 1] - x[i]
    let secant = (y[i + 1] - y[i]) / h
    let c2 = (3 * secant - 2 * slopes[i] - slopes[i + 1]) / h
    let c3 = (slopes[i] + slopes[i + 1] - 2 * secant) / (h * h)
    let d = value - x[i]
    return y[i] + d * (slopes[i] + d * (c2 + d * c3))
  }
}
