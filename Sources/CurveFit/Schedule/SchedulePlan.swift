import Foundation

/// The schedule a projection assumes for a longer run: the logged one stretched to the new
/// length (the default), or another shape (`--schedule`, `--peak-lr`).
///
/// Warm-up keeps its length in steps; the decay is stretched to end at the new last step, down
/// to the same floor (as a fraction of the peak). A WSD cooldown keeps its share of the run.
public struct SchedulePlan: Sendable, Equatable {
  public var shape: LearningRateSchedule.Shape
  /// WSD: the share of all steps spent in the cooldown.
  public var cooldownFraction: Double?
  /// The peak rate as a multiple of the logged peak (`--peak-lr` / logged peak).
  public var peakScale = 1.0
  /// The rate the decay ends at, as a fraction of the peak.
  public var floorRatio: Double
  /// True when the shape came from `--schedule` rather than the log.
  public var overridden = false
  /// True when it stretches a declared schedule (`--schedule` with `--total-steps`).
  public var declared = false
  /// True when the log states it in words (nanoGPT's printed config), not the flags.
  public var stated = false
  /// True when a longer run goes on at the logged schedule's last rate instead of stretching it:
  /// a rate that stepped down and stayed there (a multi-step schedule past its milestone) says
  /// nothing of a plan to stretch, and moving its drop later projects training at the peak rate
  /// the run no longer has (Detectron2 from half: −24% where its loss stayed flat).
  public var holdsLastRate = false

  /// The logged schedule, stretched.
  public init(following schedule: LearningRateSchedule) {
    shape = schedule.shape
    floorRatio = schedule.floorRatio
    declared = schedule.declared
    stated = schedule.statedBy != nil
    if schedule.shape == .wsd, let start = schedule.cooldownStart, schedule.plannedEnd > 0 {
      cooldownFraction = (schedule.plannedEnd - start) / schedule.plannedEnd
    }
  }

  /// Parses `constant`, `cosine`, `linear`, `inverse_sqrt` or `wsd:F` (F the cooldown share, 0 < F ≤ 1).
  public init(parsing text: String, following schedule: LearningRateSchedule?, peakRate: Double?) throws(PlanError) {
    let parts = text.lowercased().split(separator: ":", maxSplits: 1).map(String.init)
    guard let name = parts.first, let shape = LearningRateSchedule.Shape(rawValue: name), shape != .other else {
      throw PlanError("--schedule '\(text)' is not one of constant, cosine, linear, inverse_sqrt, wsd:F")
    }
    self.shape = shape
    if shape == .wsd {
      guard parts.count == 2, let fraction = Double(parts[1]), fraction > 0, fraction <= 1 else {
        throw PlanError("--schedule wsd needs the cooldown share, e.g. wsd:0.2 (0 < F ≤ 1)")
      }
      cooldownFraction = fraction
    } else if parts.count == 2 {
      throw PlanError("--schedule \(name) takes no ':' argument")
    }
    // A decayed log's floor carries over; otherwise decay to a tenth of the peak, the common
    // convention (Chinchilla, nanoGPT).
    floorRatio = schedule.map { $0.decays ? $0.floorRatio : 0.1 } ?? 0.1
    if let peakRate, let logged = schedule?.peakRate {
      peakScale = peakRate / logged
    }
    overridden = true
  }

  public struct PlanError: Error, CustomStringConvertible, Equatable {
    public let description: String
    init(_ description: String) { self.description = description }
  }

  /// Knots used to draw a smooth decay.
  static let decayKnots = 512

  /// The schedule of a run of `length` steps, as fractions of the logged peak.
  public func curve(length: Double, from schedule: LearningRateSchedule) -> LearningRateCurve {
    if holdsLastRate { return schedule.observed.holding(from: schedule.lastStep, to: length) }
    let warmup = min(schedule.warmupSteps, length)
    let observed = schedule.observed
    var steps: [Double] = []
    var rates: [Double] = []
    for (step, rate) in zip(observed.steps, observed.rates) where step < warmup {
      steps.append(step)
      rates.append(rate * peakScale)
    }
    steps.append(warmup)
    rates.append(peakScale)
    let top = peakScale
    let bottom = peakScale * floorRatio
    switch shape {
    case .constant:
      steps.append(length)
      rates.append(top)
    case .cosine, .linear:
      let decay = shape == .cosine ? LearningRateSchedule.cosineDecay : LearningRateSchedule.linearDecay
      for k in 1...Self.decayKnots {
        let u = Double(k) / Double(Self.decayKnots)
        steps.append(warmup + u * (length - warmup))
        rates.append(bottom + (top - bottom) * decay(u))
      }
    case .wsd:
      let start = max(warmup, length * (1 - (cooldownFraction ?? 0.2)))
      steps += [start, length]
      rates += [top, bottom]
    case .inverseSqrt:
      // Not stretched: a longer run goes on down the same curve, knots even in log steps.
      let tau = schedule.timescale ?? max(warmup, 1)
      for k in 1...Self.decayKnots {
        let offset = Foundation.pow((length - warmup + tau) / tau, Double(k) / Double(Self.decayKnots)) * tau - tau
        steps.append(warmup + offset)
        rates.append(top * (tau / (offset + tau)).squareRoot())
      }
    case .other:
      // No shape to redraw: stretch the logged decay in time.
      let span = max(schedule.lastStep - schedule.warmupSteps, .leastNormalMagnitude)
      for (step, rate) in zip(observed.steps, observed.rates) where step > schedule.warmupSteps {
        steps.append(warmup + (step - schedule.warmupSteps) * (length - warmup) / span)
        rates.append(rate * peakScale)
      }
    }
    return LearningRateCurve(steps: steps, rates: rates, annealStart: warmup)
  }

  /// JSON's `schedule` of the projections it makes.
  public var projectionKind: String { holdsLastRate ? "held" : "stretched" }

  /// `stretched cosine` / `wsd:0.2 (from --schedule), peak 3e-4` / `logged (then held at its last rate)`
  public var label: String {
    if holdsLastRate { return "logged (then held at its last rate)" }
    // An inverse square root is not stretched: a longer run goes on down it.
    var text = overridden || shape == .inverseSqrt ? "" : "stretched "
    text += shape == .wsd ? "wsd:\(NumberFormat.significant(cooldownFraction ?? 0.2, 2))" : shape.rawValue
    if overridden { text += " (--schedule)" }
    if declared { text += stated ? " (stated in the log)" : " (declared)" }
    if peakScale != 1 { text += ", peak ×\(NumberFormat.significant(peakScale, 3))" }
    return text
  }
}
