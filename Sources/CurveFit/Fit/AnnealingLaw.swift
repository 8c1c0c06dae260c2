import Foundation

/// The learning-rate annealing law of Tissue et al. (2024), "Scaling Law with Learning Rate
/// Annealing":
/// ```
/// L(s) = L0 + A·S1(s)^(−alpha) − C·S2(s)
/// ```
/// `S1` is the forward area (the sum of the rates so far) and `S2` the annealing area (the sum
/// of the momentum of rate decreases, `mᵢ = λ·mᵢ₋₁ + (ηᵢ₋₁ − ηᵢ)`), both with the rate measured
/// as a fraction of the logged peak, so `S1` counts "steps at peak rate". `L0` is the floor of
/// the power-law part; `C·S2`, the "annealing bonus", is how far decaying the rate has taken the
/// loss below it.
public struct AnnealingLaw: Sendable, Equatable {
  public var l0: Double
  public var a: Double
  public var alpha: Double
  public var c: Double
  public var lambda: Double

  public init(l0: Double, a: Double, alpha: Double, c: Double, lambda: Double = 0.999) {
    (self.l0, self.a, self.alpha, self.c, self.lambda) = (l0, a, alpha, c, lambda)
  }

  /// JSON's `fit.model`.
  public static let formula = "L0 + A*S1^-alpha - C*S2"
  /// The fitted parameters, in the order of the covariance; `lambda` last when fitted.
  public static let parameterNames = ["L0", "A", "alpha", "C"]
  /// The default momentum, the paper's.
  public static let defaultLambda = 0.999
  /// The lag `1/(1 − λ)` as a share of the run, for a log whose x-axis is not optimiser steps
  /// (tokens, samples, epochs, row numbers): the paper's 0.999 per step is a lag of 1,000 steps,
  /// a twentieth of runs of 20,000 (llm.c's).
  public static let lagShare = 0.05

  /// `λ` per unit of the x-axis for a lag of `lagShare` of a run `length` units long.
  public static func lambda(forRunOf length: Double) -> Double {
    1 - 1 / max(1, lagShare * length)
  }

  /// The loss at areas `(s1, s2)`.
  public func callAsFunction(s1: Double, s2: Double) -> Double {
    l0 + a * Foundation.pow(s1, -alpha) - c * s2
  }

  /// `∂L/∂(L0, A, alpha, C)` at `(s1, s2)`, for the delta method.
  public func gradient(s1: Double, s2: Double) -> [Double] {
    let power = Foundation.pow(s1, -alpha)
    return [1, power, -a * power * Foundation.log(s1), -s2]
  }

  /// The losses along `curve` at the ascending `steps`.
  public func losses(at steps: [Double], on curve: LearningRateCurve) -> [Double] {
    let areas = curve.areas(at: steps, lambda: lambda)
    return zip(areas.s1, areas.s2).map { self(s1: $0, s2: $1) }
  }

  /// The loss at the end of `curve`.
  public func finalLoss(on curve: LearningRateCurve) -> Double {
    losses(at: [curve.end], on: curve)[0]
  }

  var parameters: [Double] { [l0, a, alpha, c] }
}

public typealias AnnealingFit = FitResult<AnnealingLaw>
