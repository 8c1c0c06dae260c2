import Foundation

/// A learning-rate schedule the user declares for a log that does not record its rates
/// (`--schedule` with `--total-steps`, `--warmup-steps`, `--final-lr-ratio`).
///
/// Rates are fractions of the peak: a linear warm-up from 0 to 1 over `warmupSteps`, then the
/// decay of `shape` to `finalRatio` at `totalSteps` (WSD holds the peak until the last
/// `cooldownFraction` of the steps, then falls linearly).
public struct DeclaredSchedule: Sendable, Equatable {
  public var shape: LearningRateSchedule.Shape
  public var cooldownFraction: Double?
  public var totalSteps: Double
  public var warmupSteps: Double
  public var finalRatio: Double

  /// `finalRatio` defaults to 0.1 for cosine (nanoGPT, Chinchilla), 0 for linear and WSD.
  public init(
    shape: LearningRateSchedule.Shape, cooldownFraction: Double? = nil, totalSteps: Double,
    warmupSteps: Double = 0, finalRatio: Double? = nil
  ) {
    self.shape = shape
    self.cooldownFraction = cooldownFraction
    self.totalSteps = totalSteps
    self.warmupSteps = min(max(warmupSteps, 0), totalSteps)
    self.finalRatio = shape == .constant ? 1 : shape == .inverseSqrt ? 0 : (finalRatio ?? (shape == .cosine ? 0.1 : 0))
  }

  /// The whole planned schedule as knots.
  public var curve: LearningRateCurve {
    var steps = [0.0]
    var rates = [warmupSteps > 0 ? 0.0 : 1.0]
    if warmupSteps > 0 {
      steps.append(warmupSteps)
      rates.append(1)
    }
    let end = max(totalSteps, warmupSteps + 1)
    switch shape {
    case .constant, .other:
      steps.append(end)
      rates.append(1)
    case .cosine, .linear:
      let decay = shape == .cosine ? LearningRateSchedule.cosineDecay : LearningRateSchedule.linearDecay
      for k in 1...SchedulePlan.decayKnots {
        let u = Double(k) / Double(SchedulePlan.decayKnots)
        steps.append(warmupSteps + u * (end - warmupSteps))
        rates.append(finalRatio + (1 - finalRatio) * decay(u))
      }
    case .inverseSqrt:
      // fairseq's and T5's: the rate at warm-up's end over √(step / warm-up).
      let tau = max(warmupSteps, 1)
      for k in 1...SchedulePlan.decayKnots {
        let offset = Foundation.pow((end - warmupSteps + tau) / tau, Double(k) / Double(SchedulePlan.decayKnots)) * tau - tau
        steps.append(warmupSteps + offset)
        rates.append((tau / (offset + tau)).squareRoot())
      }
    case .wsd:
      let start = max(warmupSteps, end * (1 - (cooldownFraction ?? 0.2)))
      if start > steps[steps.count - 1] {
        steps.append(start)
        rates.append(1)
      }
      steps.append(end)
      rates.append(finalRatio)
    }
    return LearningRateCurve(steps: steps, rates: rates, annealStart: warmupSteps)
  }
}

extension LearningRateSchedule {
  /// The schedule `declared` says the run follows, as if it had been read off an lr column
  /// whose last entry is at `lastStep`. The peak is 1 (rates are fractions of it).
  public init(declared: DeclaredSchedule, lastStep: Double) {
    let curve = declared.curve
    self.init(
      shape: declared.shape, warmupSteps: declared.warmupSteps, peakRate: 1,
      finalRate: curve.rate(at: lastStep), floorRatio: declared.finalRatio,
      plannedEnd: declared.totalSteps,
      cooldownStart: declared.shape == .wsd
        ? max(declared.warmupSteps, declared.totalSteps * (1 - (declared.cooldownFraction ?? 0.2))) : nil,
      observed: curve, lastStep: lastStep)
    self.declared = true
    if declared.shape == .inverseSqrt { timescale = max(declared.warmupSteps, 1) }
  }
}
