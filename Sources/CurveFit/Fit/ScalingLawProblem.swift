import Foundation
import LeastSquares

/// The scaling-law fit as least squares, the way Hoffmann et al. (2022) and Besiroglu et al.
/// (2024) pose it: minimise `Σ Huber_δ(log L̂ᵢ − log Lᵢ)` with the log-sum-exp parametrisation
/// ```
/// log L̂ = LSE(a − α·log N, b − β·log D, e),   A = eᵃ, B = eᵇ, E = eᵉ
/// ```
/// Huber enters through square-rooted residuals (Triggs et al. 2000): `sᵢ = sign(rᵢ)·√(2ρ(rᵢ))`,
/// so `½Σsᵢ² = Σρ(rᵢ)` exactly and each Levenberg–Marquardt step is a least-squares problem
/// re-weighted at the current residuals, `∂s/∂r = 1` inside `±δ` and `δ/|s|` outside: the
/// iteratively reweighted least squares of Huber's M-estimator, folded into the LM iterations.
/// With `delta = nil` the loss is plain least squares on log residuals.
///
/// Parameters: both terms `[a, b, e, α, β]`; data only `[b, e, β]`; parameters only `[a, e, α]`.
struct ScalingLawProblem: LeastSquaresProblem {
  let form: ScalingLaw.Form
  let logN: [Double]
  let logD: [Double]
  let logL: [Double]
  let delta: Double?
  /// √(multiplicity) of each row, for a bootstrap resample held as distinct rows with counts
  /// (a row drawn k times weighs k in the objective, as k copies would); nil for all ones.
  var rootWeights: [Double]? = nil

  var parameterCount: Int { form == .both ? 5 : 3 }
  var residualCount: Int { logL.count }
  var lowerBounds: [Double] {
    form == .both ? [-.infinity, -.infinity, -.infinity, 0, 0] : [-.infinity, -.infinity, 0]
  }
  var upperBounds: [Double] { Array(repeating: .infinity, count: parameterCount) }

  /// Log-prediction and its partial derivatives with respect to the parameters, at row `i`.
  @inline(__always)
  private func predict(_ p: [Double], _ i: Int, gradient: inout (Double, Double, Double, Double, Double)) -> Double {
    switch form {
    case .both:
      let x = p[0] - p[3] * logN[i]
      let y = p[1] - p[4] * logD[i]
      let z = p[2]
      let top = max(x, y, z)
      let ex = safeExp(x - top)
      let ey = safeExp(y - top)
      let ez = safeExp(z - top)
      let total = ex + ey + ez
      let (wx, wy, wz) = (ex / total, ey / total, ez / total)
      gradient = (wx, wy, wz, -wx * logN[i], -wy * logD[i])
      return top + Foundation.log(total)
    case .data, .parameters:
      let logX = form == .data ? logD[i] : logN[i]
      let x = p[0] - p[2] * logX
      let z = p[1]
      let top = max(x, z)
      let ex = safeExp(x - top)
      let ez = safeExp(z - top)
      let total = ex + ez
      let (wx, wz) = (ex / total, ez / total)
      gradient = (wx, wz, -wx * logX, 0, 0)
      return top + Foundation.log(total)
    }
  }

  func residuals(at p: [Double], into residuals: inout [Double]) {
    var gradient = (0.0, 0.0, 0.0, 0.0, 0.0)
    for i in 0..<logL.count {
      residuals[i] = robust(predict(p, i, gradient: &gradient) - logL[i]).value * (rootWeights?[i] ?? 1)
    }
  }

  func jacobian(at p: [Double], into jacobian: inout Matrix) {
    var g = (0.0, 0.0, 0.0, 0.0, 0.0)
    let m = logL.count
    for i in 0..<m {
      let r = predict(p, i, gradient: &g)
      let slope = robust(r - logL[i]).slope * (rootWeights?[i] ?? 1)
      jacobian.storage[i] = slope * g.0
      jacobian.storage[m + i] = slope * g.1
      jacobian.storage[2 * m + i] = slope * g.2
      if form == .both {
        jacobian.storage[3 * m + i] = slope * g.3
        jacobian.storage[4 * m + i] = slope * g.4
      }
    }
  }

  func evaluate(at p: [Double], residuals: inout [Double], jacobian: inout Matrix) {
    var g = (0.0, 0.0, 0.0, 0.0, 0.0)
    let m = logL.count
    let both = form == .both
    for i in 0..<m {
      var (value, slope) = robust(predict(p, i, gradient: &g) - logL[i])
      if let rootWeights {
        value *= rootWeights[i]
        slope *= rootWeights[i]
      }
      residuals[i] = value
      jacobian.storage[i] = slope * g.0
      jacobian.storage[m + i] = slope * g.1
      jacobian.storage[2 * m + i] = slope * g.2
      if both {
        jacobian.storage[3 * m + i] = slope * g.3
        jacobian.storage[4 * m + i] = slope * g.4
      }
    }
  }

  /// The square-rooted Huber residual and its derivative with respect to `r`.
  @inline(__always)
  func robust(_ r: Double) -> (value: Double, slope: Double) {
    guard let delta, abs(r) > delta else { return (r, 1) }
    let s = (2 * delta * abs(r) - delta * delta).squareRoot()
    return (r < 0 ? -s : s, delta / s)
  }

  /// `Σ ρ(r)`: the objective the grid compares (Huber, or half the sum of squares).
  func objective(_ p: [Double]) -> Double {
    var r = [Double](repeating: 0, count: residualCount)
    residuals(at: p, into: &r)
    return 0.5 * r.reduce(0) { $0 + $1 * $1 }
  }

  /// Maps fitted parameters to the law.
  func law(_ p: [Double]) -> ScalingLaw {
    switch form {
    case .both:
      ScalingLaw(e: Foundation.exp(p[2]), a: Foundation.exp(p[0]), b: Foundation.exp(p[1]), alpha: p[3], beta: p[4])
    case .data:
      ScalingLaw(e: Foundation.exp(p[1]), a: 0, b: Foundation.exp(p[0]), alpha: 0, beta: p[2])
    case .parameters:
      ScalingLaw(e: Foundation.exp(p[1]), a: Foundation.exp(p[0]), b: 0, alpha: p[2], beta: 0)
    }
  }
}

/// `exp` of a non-positive argument; terms below e^-700 are exactly negligible next to the
/// largest (which is 1), and skipping libm's underflow path keeps the grid fast.
@inline(__always)
private func safeExp(_ x: Double) -> Double { x < -700 ? 0 : (x == 0 ? 1 : Foundation.exp(x)) }
