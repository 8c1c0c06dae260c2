import Foundation

/// Where to restart before a spike: a distance back from its start, rounded down to a checkpoint.
///
/// The defaults follow the log. PaLM restarted about 100 steps before each spike, which suits a
/// per-step log, but 100 steps is one point of a log sampled every 100 steps, the whole of a
/// 128-step W&B run, and nothing at all on a token axis. So unless `--rollback-steps` and
/// `--checkpoint-every` are given, the distance is three logging intervals, or 100 steps when that
/// is more and no more than a tenth of the run before the spike; the checkpoint multiple is the
/// largest 1, 2 or 5 × 10^k within the distance, at most 100 on a step axis.
struct Rollback {
  let distance: Double?
  let every: Double?
  let interval: Double
  let axis: StepAxis

  init(options: HealthOptions, series: LossSeries) {
    distance = options.rollbackSteps
    every = options.checkpointEvery
    axis = StepAxis(series)
    interval = Self.medianInterval(series.steps)
  }

  func step(before start: Double, firstStep: Double) -> Double {
    let back = distance ?? {
      let points = 3 * interval
      guard axis == .steps else { return points }
      return max(points, min(100, 0.1 * max(0, start - firstStep)))
    }()
    let multiple = every ?? {
      let nice = Self.nice(atMost: back)
      return axis == .steps ? min(nice, 100) : nice
    }()
    let target = start - back
    let rounded = multiple > 0 ? (target / multiple).rounded(.down) * multiple : target
    return max(firstStep, rounded)
  }

  /// The largest 1, 2 or 5 × 10^k not above `value` (1 for values below 1).
  static func nice(atMost value: Double) -> Double {
    guard value.isFinite, value >= 1 else { return 1 }
    let power = Foundation.pow(10, Foundation.floor(Foundation.log10(value)))
    for factor in [5.0, 2, 1] where factor * power <= value { return factor * power }
    return power
  }

  /// The median gap between logged steps, from at most 1,000 evenly spread pairs.
  static func medianInterval(_ steps: [Double]) -> Double {
    guard steps.count >= 2 else { return 1 }
    let pairs = min(1_000, steps.count - 1)
    var gaps = (0..<pairs).map { k -> Double in
      let index = k * (steps.count - 1) / pairs
      return steps[index + 1] - steps[index]
    }.filter { $0 > 0 && $0.isFinite }
    guard !gaps.isEmpty else { return 1 }
    gaps.sort()
    return gaps[gaps.count / 2]
  }
}
