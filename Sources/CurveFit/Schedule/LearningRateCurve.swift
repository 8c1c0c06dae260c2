import Foundation

/// A learning-rate schedule as knots `(step, η)` joined by straight lines, with `η` divided by
/// the observed peak, and the two areas of the annealing law computed over it in closed form.
///
/// The optimiser takes one step per unit of the x-axis. Between knots the rate falls by the same
/// amount `d` every step, so the momentum recursion of Tissue et al. (2024),
/// `mᵢ = λ·mᵢ₋₁ + (ηᵢ₋₁ − ηᵢ)`, has an exact sum over a whole segment of `g` steps:
/// ```
/// m_g     = λ^g·m₀ + d·(1 − λ^g)/(1 − λ)
/// Σ m_j   = m₀·λ(1 − λ^g)/(1 − λ) + d/(1 − λ)·(g − λ(1 − λ^g)/(1 − λ))
/// Σ η_j   = g·η₀ − d·g(g + 1)/2
/// ```
/// so `S1` and `S2` cost one pass over the knots, whatever the number of optimiser steps.
public struct LearningRateCurve: Sendable, Equatable {
  /// Ascending knot steps.
  public private(set) var steps: [Double]
  /// The rate at each knot, as a fraction of the observed peak.
  public private(set) var rates: [Double]
  /// Rate decreases before this step (warm-up) add nothing to the annealing area.
  public private(set) var annealStart: Double

  /// Knots kept when a logged schedule is thinned; far finer than any schedule's features.
  static let maxKnots = 16_384

  public init(steps: [Double], rates: [Double], annealStart: Double) {
    precondition(steps.count == rates.count && !steps.isEmpty, "a curve needs matching knots")
    var keptSteps: [Double] = []
    var keptRates: [Double] = []
    keptSteps.reserveCapacity(steps.count + 1)
    keptRates.reserveCapacity(steps.count + 1)
    for index in steps.indices {
      if let last = keptSteps.last, steps[index] <= last { continue }
      // A knot at the start of annealing splits the segment that straddles it, so no segment
      // mixes warm-up rises with decay.
      if let last = keptSteps.last, last < annealStart, steps[index] > annealStart {
        let fraction = (annealStart - last) / (steps[index] - last)
        keptSteps.append(annealStart)
        keptRates.append(keptRates[keptRates.count - 1] + fraction * (rates[index] - keptRates[keptRates.count - 1]))
      }
      keptSteps.append(steps[index])
      keptRates.append(rates[index])
    }
    (self.steps, self.rates, self.annealStart) = (keptSteps, keptRates, annealStart)
  }

  /// The rate at `step`, linear between knots and flat beyond the ends.
  public func rate(at step: Double) -> Double {
    guard step > steps[0] else { return rates[0] }
    guard step < steps[steps.count - 1] else { return rates[rates.count - 1] }
    let high = steps.lowerIndex(atLeast: step)
    let low = high - 1
    let fraction = (step - steps[low]) / (steps[high] - steps[low])
    return rates[low] + fraction * (rates[high] - rates[low])
  }

  /// The last knot's step.
  public var end: Double { steps[steps.count - 1] }

  /// The curve up to `from`, then flat at its rate there until `to`: training that goes on at
  /// the current rate with no further decay.
  public func holding(from: Double, to: Double) -> LearningRateCurve {
    let rate = rate(at: from)
    var keptSteps = steps.filter { $0 < from }
    var keptRates = Array(rates.prefix(keptSteps.count))
    keptSteps += [from, max(to, from)]
    keptRates += [rate, rate]
    return LearningRateCurve(steps: keptSteps, rates: keptRates, annealStart: annealStart)
  }

  /// `S1` (forward area) and `S2` (annealing area with momentum `lambda`) at each of `queries`,
  /// which must be ascending. Before the first knot the rate is taken as the first knot's.
  public func areas(at queries: [Double], lambda: Double) -> (s1: [Double], s2: [Double]) {
    var s1 = [Double](repeating: 0, count: queries.count)
    var s2 = [Double](repeating: 0, count: queries.count)
    let lambda = min(max(lambda, 0), 1 - 1e-12)
    let oneMinus = 1 - lambda
    let logLambda = lambda > 0 ? Foundation.log(lambda) : -Double.infinity

    // The state at the start of the current segment: both areas and the momentum.
    var area1 = 0.0
    var area2 = 0.0
    var momentum = 0.0

    /// The state `g` steps on, the rate starting at `rate` and falling by `d` a step. Before
    /// `annealStart` the momentum is zero and decreases are not accumulated.
    func advance(_ g: Double, rate: Double, decrement d: Double, annealing: Bool)
      -> (area1: Double, area2: Double, momentum: Double)
    {
      // The sum of the rate over g steps lies between g times its first and its last rate; the
      // closed form leaves that range only for g under one step with the rate falling by more
      // than itself a step, a log by epochs (0.02 apart): its areas went negative and S1^-α NaN.
      let sum = g * rate - d * g * (g + 1) / 2
      let ends = (g * rate, g * (rate - d * g))
      let forward = area1 + min(max(sum, min(ends.0, ends.1)), max(ends.0, ends.1))
      guard annealing else { return (forward, area2, momentum) }
      let power = lambda > 0 ? Foundation.exp(g * logLambda) : 0
      let geometric = lambda * (1 - power) / oneMinus
      let newMomentum = power * momentum + d * (1 - power) / oneMinus
      let added = momentum * geometric + d / oneMinus * (g - geometric)
      return (forward, area2 + added, newMomentum)
    }

    var query = 0
    // Flat at the first rate from step 0 to the first knot, then knot to knot.
    var from = min(0, steps[0])
    var rate = rates[0]
    for k in 0..<steps.count {
      let to = steps[k]
      let length = to - from
      if length > 0 {
        let d = (rate - rates[k]) / length
        let annealing = from >= annealStart
        while query < queries.count, queries[query] <= to {
          let state = advance(max(0, queries[query] - from), rate: rate, decrement: d, annealing: annealing)
          (s1[query], s2[query]) = (state.area1, state.area2)
          query += 1
        }
        (area1, area2, momentum) = advance(length, rate: rate, decrement: d, annealing: annealing)
      }
      (from, rate) = (to, rates[k])
    }
    // Flat at the last rate beyond the last knot.
    while query < queries.count {
      let state = advance(max(0, queries[query] - from), rate: rate, decrement: 0, annealing: from >= annealStart)
      (s1[query], s2[query]) = (state.area1, state.area2)
      query += 1
    }
    return (s1, s2)
  }
}
