import Foundation

/// The learning-rate schedule read off a log's `lr` column: warm-up, the shape of the decay, and
/// the peak and final rates, plus the logged curve itself for the annealing law.
///
/// The decay is matched against cosine and linear shapes, and warmup–stable–decay (WSD) when the
/// rate holds at its peak for at least 30% of the steps after warm-up before falling. Each shape
/// is fitted with its own planned end (which may lie beyond the last logged step: a run stopped
/// early) and floor, so a partial log still says where its schedule was going.
public struct LearningRateSchedule: Sendable, Equatable {
  public enum Shape: String, Sendable, CaseIterable {
    case constant, cosine, linear, wsd, other
    /// `peak·√(τ/(s − warm-up + τ))`: fairseq's and T5's default, and the Trainer's
    /// `inverse_sqrt`. It has no end: a longer run keeps decaying along it.
    case inverseSqrt = "inverse_sqrt"
  }

  public var shape: Shape
  /// The step where the rate first reaches its peak (within 0.1%); 0 without warm-up.
  public var warmupSteps: Double
  public var peakRate: Double
  /// The last logged rate.
  public var finalRate: Double
  /// The floor of the decay as a fraction of the peak (the fitted shape's, or the last rate's).
  public var floorRatio: Double
  /// Where the decay ends: the last logged step for a finished schedule, later for a run that
  /// stopped before its schedule did.
  public var plannedEnd: Double
  /// WSD: where the cooldown starts; also given for `--schedule wsd:F` projections.
  public var cooldownStart: Double?
  /// The logged rates (as fractions of the peak) from which the annealing areas are computed.
  public var observed: LearningRateCurve
  /// The last logged step.
  public var lastStep: Double
  /// The run's length as far as the schedule tells: its planned end, or the last logged step.
  public var runLength: Double { max(plannedEnd, lastStep) }
  /// True when the user declared the schedule (`--schedule` with `--total-steps`) rather than
  /// the log recording it.
  public var declared = false
  /// Where the log states the schedule in words, when it was built from that rather than from
  /// flags (`nanoGPT's config: lr_decay_iters = 5000, …`); `declared` is true for it too.
  public var statedBy: String?
  /// A cosine read before it had fallen by 2%, in a log that records no length: its rates fix
  /// only `(1 − floor)/(end − warm-up)²`, so the end is read for an assumed floor.
  public var assumedEnd: AssumedEnd?
  /// Inverse square root: `τ`, the steps after warm-up over which the rate falls to 1/√2.
  public var timescale: Double?

  /// The end of a cosine barely begun, for the floor assumed and for the common floors either side.
  public struct AssumedEnd: Sendable, Equatable {
    /// The floor assumed, as a fraction of the peak: half-way between the common 0 (PyTorch,
    /// Hugging Face, llm.c) and 0.1 (nanoGPT, Chinchilla, Pythia).
    public static let floor = 0.05
    /// The planned ends for floors of 0 and 10% of the peak.
    public var ends: ClosedRange<Double>
  }

  /// True when the rate falls below 90% of its peak after warm-up: only then can the annealing
  /// term be told apart from the power law.
  public var decays: Bool {
    shape != .constant && (finalRate < 0.9 * peakRate || (declared && floorRatio < 0.9))
  }

  /// True when the rate decays, or a decay shape read off the log plans one beyond its last
  /// step (a cosine a fifth of the way in): either way the steps to come follow a known schedule,
  /// which the annealing law projects.
  public var decayKnown: Bool {
    if decays { return true }
    let shaped = shape == .cosine || shape == .linear || shape == .wsd
    return shape == .inverseSqrt || (shaped && plannedEnd > 1.01 * lastStep && floorRatio < 0.9)
  }

  /// `cosine, warm-up 700 steps, peak 6.0e-4 → final 0 (0% of peak)`
  public var summary: String { summary(on: .steps) }

  /// The summary with positions in the step column's unit: `warm-up 3.15e9 tokens`.
  public func summary(on axis: StepAxis) -> String {
    if warmupSteps > 0, warmupSteps >= lastStep {
      return "warm-up still running at the last \(axis.column): the rate rose throughout, to \(NumberFormat.scientific(peakRate))"
    }
    if declared {
      var text = (statedBy.map { "stated in the log (\($0)), not logged as rates: " } ?? "declared (not read from the log): ")
        + (shape == .wsd ? "WSD" : shape.rawValue)
      if shape == .wsd, let start = cooldownStart { text += " (cooldown from \(axis.at(start)))" }
      text += ", warm-up \(axis.amount(warmupSteps))"
      // A rate that decays reaches its floor at the planned end; one that does not only stops there.
      guard shape != .constant && shape != .inverseSqrt else { return text + ", planned end at \(axis.at(plannedEnd))" }
      return text + ", to \(Int((100 * floorRatio).rounded()))% of peak at \(axis.at(plannedEnd))"
    }
    var text = shape == .wsd ? "WSD" : shape == .inverseSqrt ? "inverse square root" : shape.rawValue
    if shape == .wsd, let start = cooldownStart {
      text += " (cooldown from \(axis.at(start)))"
    }
    text += ", warm-up \(axis.amount(warmupSteps)), peak \(NumberFormat.scientific(peakRate))"
    text += " → final \(NumberFormat.scientific(finalRate)) (\(Int((100 * finalRate / peakRate).rounded()))% of peak)"
    if let assumed = assumedEnd {
      text += "; barely begun: planned to end near \(axis.at(plannedEnd)) if it falls to"
        + " \(Int((100 * AssumedEnd.floor).rounded()))% of its peak"
        + " (\(axis.number(assumed.ends.lowerBound))–\(axis.number(assumed.ends.upperBound)) for 0–10%;"
        + " --total-steps to say)"
    } else if plannedEnd > lastStep * 1.01 {
      text += "; decay planned to end near \(axis.at(plannedEnd))"
    }
    return text
  }

  /// Where a warm-up reached the peak: the first logged step at it, or, when the log is sparse,
  /// where the last two rising rates before it, continued in a straight line, reach the peak
  /// (warm-ups are linear in every trainer we read). A log every 200 steps of a 500-step warm-up
  /// shows the peak first at step 600; read from 600, the first fifth of a 20,000-step cosine to
  /// 10% was fitted as one ending at step 10,760 at 72% of the peak, and its run projected +5%.
  static func warmupEnd(_ series: LossSeries, peakIndex: Int, peak: Double) -> Double {
    let at = series.steps[peakIndex]
    // A peak at the log's last point may be a warm-up still rising: it ends there or later.
    guard let rates = series.learningRates, peakIndex >= 1, peakIndex + 1 < series.count else { return at }
    // One rising rate logged before the peak: the warm-up's line starts from 0 at step 0, as the
    // Trainer's and PyTorch's linear warm-ups do (a fine-tune logged every 5 steps of a 6-step
    // warm-up shows 67% of its peak at step 5 and its peak first at step 10).
    let (s1, r1) = peakIndex >= 2 ? (series.steps[peakIndex - 2], rates[peakIndex - 2]) : (0.0, 0.0)
    let (s2, r2) = (series.steps[peakIndex - 1], rates[peakIndex - 1])
    guard r1.isFinite, r2.isFinite, r1 < r2, r2 < peak, s1 < s2 else { return at }
    let reached = s2 + (peak - r2) * (s2 - s1) / (r2 - r1)
    // Rates logged to four digits put a peak logged where the line reaches it a step early.
    return reached > s2 && reached < at - 0.01 * (at - s2) ? reached : at
  }

  /// The peak, in units of the logged one, of a decay from `start` (the warm-up's end, or step 0)
  /// that a cosine or a line with the peak free fits, over the knots `indices` from the logged
  /// peak on, at least twice as closely as one pinned to the logged peak at `start`; `nil` when
  /// pinned fits as well (a rate logged at its peak, a constant rate, a step down).
  static func unseenPeak(_ steps: [Double], _ y: [Double], indices: [Int], start: Double) -> Double? {
    guard indices.count >= 4, let first = indices.first, steps[first] > start, let lastIndex = indices.last,
      let lowest = indices.map({ y[$0] }).min(), lowest < 0.98
    else { return nil }
    let last = steps[lastIndex]
    let pinnedSteps = [start] + indices.map { steps[$0] }
    let pinnedY = [1] + indices.map { y[$0] }
    let pinned = Array(pinnedSteps.indices)
    var best: (rms: Double, end: Double, peak: Double)?
    var pinnedBest = Double.infinity
    for shape in [cosineDecay, linearDecay] {
      let free = unseenPeakFit(steps, y, indices: indices, start: start, last: last, shape: shape)
      if free.rms < (best?.rms ?? .infinity) { best = free }
      pinnedBest = min(pinnedBest, fitDecay(pinnedSteps, pinnedY, indices: pinned, start: start, last: last, shape: shape).rms)
    }
    guard let best, best.peak > 1.001, best.peak < 2, best.rms <= 0.01, best.rms < 0.5 * pinnedBest else { return nil }
    return best.peak
  }

  /// Reads the schedule from the series' learning rates; `nil` without at least 5 logged rates
  /// or with a non-positive peak. `plannedLength` is the run's length when the user knows it
  /// (`--total-steps`); by default, the length the log records, if any.
  public static func detect(_ series: LossSeries, plannedLength: Double? = nil) -> LearningRateSchedule? {
    guard let logged = series.learningRates else { return nil }
    // One pass over the full log for what must be exact (peak, warm-up end, stable end); the
    // shape is then fitted on at most `LearningRateCurve.maxKnots` knots, so a 10M-row log costs
    // what a 16k-row one does.
    var count = 0
    var peak = 0.0
    for rate in logged where rate.isFinite && rate >= 0 {
      count += 1
      peak = max(peak, rate)
    }
    guard count >= 5, peak > 0 else { return nil }
    var warmupIndex: Int?
    var stableIndex = 0
    var lastIndex = 0
    for index in logged.indices where logged[index].isFinite && logged[index] >= 0 {
      if logged[index] >= 0.999 * peak {
        if warmupIndex == nil { warmupIndex = index }
        stableIndex = index
      }
      lastIndex = index
    }
    let peakIndex = warmupIndex ?? 0
    let stride = max(1, count / LearningRateCurve.maxKnots)
    var steps: [Double] = []
    var y: [Double] = []
    var seen = 0
    for index in logged.indices where logged[index].isFinite && logged[index] >= 0 {
      defer { seen += 1 }
      guard seen % stride == 0 || index == peakIndex || index == stableIndex || index == lastIndex else { continue }
      steps.append(series.steps[index])
      y.append(logged[index] / peak)
    }
    let firstKnot = steps.firstIndex { $0 >= series.steps[peakIndex] } ?? 0
    let warmup = y.first.map { $0 >= 0.999 } == true ? 0 : Self.warmupEnd(series, peakIndex: peakIndex, peak: peak)
    // The peak logged after the warm-up ended (or after step 0 with none seen), the rate already
    // falling: the decay may have begun there from a peak the log never shows.
    if let scale = Self.unseenPeak(steps, y, indices: Self.spread(Array(firstKnot..<steps.count)), start: warmup) {
      peak *= scale
      y = y.map { $0 / scale }
    }
    if warmup < steps[firstKnot], firstKnot == 0 || steps[firstKnot - 1] < warmup {
      // The peak where the warm-up reached it, so the curve does not go on rising past the start
      // of annealing (a rise there counts against the decay's area).
      steps.insert(warmup, at: firstKnot)
      y.insert(1, at: firstKnot)
    }
    let last = steps[steps.count - 1]
    let curve = LearningRateCurve(steps: steps, rates: y, annealStart: warmup)
    var schedule = LearningRateSchedule(
      shape: .constant, warmupSteps: warmup, peakRate: peak, finalRate: logged[lastIndex],
      floorRatio: y[y.count - 1], plannedEnd: last, cooldownStart: nil, observed: curve, lastStep: last)
    let after = Self.spread(Array(firstKnot..<steps.count))
    // The run's length (--total-steps, or as the log records it: max_steps, step N/T) ends the
    // decay when the rates agree: Megatron's decay can be planned over other iterations.
    let recorded = (plannedLength ?? series.origin.plannedSteps?.steps).flatMap { $0 > last * 1.01 ? $0 : nil }
    // A decay that has barely begun (under 2% of the peak) says nothing of its end by itself;
    // with the end recorded, its first percent is enough to tell its shape. Without it, a
    // cosine's end is read for an assumed floor (`AssumedEnd`).
    guard after.count >= 3, let lowest = after.map({ y[$0] }).min(), lowest < 0.998 else { return schedule }
    let barelyBegun = lowest >= 0.98
    let assumeFloor = barelyBegun && recorded == nil

    // The stable phase: the last step still at the peak.
    let stableEnd = series.steps[stableIndex]
    let stableFraction = (stableEnd - warmup) / max(last - warmup, .leastNormalMagnitude)
    func decayFit(start: Double, shape: Decay, assumingFloor: Bool = false) -> (rms: Double, end: Double, floor: Double) {
      if assumingFloor {
        return fitDecay(steps, y, indices: after, start: start, last: last, shape: shape, floor: AssumedEnd.floor)
      }
      let fit = fitDecay(steps, y, indices: after, start: start, last: last, shape: shape)
      guard let recorded else { return fit }
      let fixed = fitDecay(steps, y, indices: after, start: start, last: last, shape: shape, ends: [recorded])
      return fixed.rms <= fit.rms + 0.005 || barelyBegun ? fixed : fit
    }
    var best: (shape: Shape, error: Double, end: Double, floor: Double, cooldown: Double?)?
    if stableFraction >= 0.3 {
      let fit = decayFit(start: stableEnd, shape: linearDecay)
      best = (.wsd, fit.rms, fit.end, fit.floor, stableEnd)
    }
    // A cosine's first percent stays within 0.1% of the peak for a third of it: a decay barely
    // begun is a cosine or a line as much as a cooldown after a stable phase.
    if stableFraction < 0.3 || barelyBegun {
      for (shape, decay) in [(Shape.cosine, cosineDecay), (.linear, linearDecay)] {
        let fit = decayFit(start: warmup, shape: decay, assumingFloor: assumeFloor && shape == .cosine)
        if fit.rms < (best?.error ?? .infinity) { best = (shape, fit.rms, fit.end, fit.floor, nil) }
      }
    }
    var timescale: Double?
    if !barelyBegun, stableFraction < 0.3, let fit = inverseSqrtFit(steps, y, indices: after, warmup: warmup),
      fit.rms < (best?.error ?? .infinity)
    {
      best = (.inverseSqrt, fit.rms, last, 0, nil)
      timescale = fit.timescale
    }
    // Rates that fell by under 2% fit any shape within 3%: the one chosen must fit to rounding,
    // and with no recorded end within 15% of the fall (a constant rate with odd dips is no decay).
    let tolerance = barelyBegun ? min(0.002, assumeFloor ? 0.15 * (1 - lowest) : 1) : 0.03
    guard var best, best.error <= tolerance else {
      if !barelyBegun { schedule.shape = .other }
      return schedule
    }
    // A straight decay cut short fits every end as well as the last step (each with its own
    // floor), so the grid keeps the last step and calls the rate there the floor: a run half-way
    // down a linear decay to zero would be projected as if it stopped decaying now. Straight
    // decays are taken to run on to zero, the Hugging Face and PyTorch default, unless the rate
    // has already flattened out (a length the log records, or `--total-steps`, overrides both).
    if best.end != recorded, best.shape == .linear || best.shape == .wsd,
      let zero = straightDecayZero(steps, y, indices: after, from: best.cooldown ?? warmup), zero > best.end
    {
      best.end = zero
      best.floor = 0
    }
    schedule.timescale = best.shape == .inverseSqrt ? timescale : nil
    schedule.shape = best.shape
    schedule.plannedEnd = best.end
    // An inverse square root falls towards zero for as long as the run goes on.
    schedule.floorRatio = best.shape == .inverseSqrt ? 0 : best.end > last * 1.01 ? best.floor : y[y.count - 1]
    schedule.cooldownStart = best.cooldown
    if assumeFloor, best.shape == .cosine {
      // Near its start a cosine falls as (1 − floor)·(u/2)²π²: the same rates end later for a lower floor.
      let end = { (floor: Double) in warmup + (best.end - warmup) * ((1 - floor) / (1 - AssumedEnd.floor)).squareRoot() }
      schedule.assumedEnd = AssumedEnd(ends: end(0.1)...end(0))
    }
    return schedule
  }
}
