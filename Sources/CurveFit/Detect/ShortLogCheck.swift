import Foundation

/// Spikes and a runaway rise in a log too short for the streaming baseline.
///
/// The baseline seeds its level and noise from the first 50 points; in an excerpt of a dozen
/// lines those include the spike itself, which then hides. Here each point is compared with the
/// median of up to five clean points before it, and the noise scale is the MAD of their first
/// differences (at least 1%). A point opens a spike at z ≥ `spikeZ` or, since a dozen points
/// cannot measure the noise well, at ×1.5 its baseline whatever the noise (per-step noise of a
/// training loss is a few per cent; the spikes that matter are ×1.5 and more). With fewer than
/// three clean points before it, only the ×1.5 rule applies. It closes at the first point back
/// within noise, as in the streaming scan.
struct ShortLogCheck {
  /// Below this many finite points the streaming baseline has no clean seed.
  static let maximumPoints = 50
  static let window = 5
  static let noiseFloor = 0.01
  static let obviousRatio = 1.5

  let options: HealthOptions

  struct Found {
    var spikes: [Spike]
    /// Residual positions of each spike, start up to (not including) its recovery.
    var positions: [Range<Int>]
    var divergence: (Divergence, onset: Int)?
  }

  func check(_ residuals: Residuals, series: LossSeries, rollback: (Double) -> Double) -> Found {
    let finite = residuals.values.indices.filter { residuals.loss($0).isFinite && residuals.loss($0) > 0 }
    let logs = finite.map { Foundation.log(residuals.loss($0)) }
    var clean: [Int] = []  // indices into `finite`
    var found = Found(spikes: [], positions: [], divergence: nil)
    var i = 0
    while i < finite.count {
      let prior = clean.suffix(Self.window).map { logs[$0] }
      guard !prior.isEmpty else {
        clean.append(i)
        i += 1
        continue
      }
      let base = prior.median
      let differences = zip(prior.dropFirst(), prior).map { abs($0 - $1) }
      // median |Δ| of N(0, 2σ²) is 0.6745·√2·σ.
      let sigma = max(Self.noiseFloor, differences.isEmpty ? 0 : differences.median / (0.6745 * 2.0.squareRoot()))
      let z = (logs[i] - base) / sigma
      let ratio = Foundation.exp(logs[i] - base)
      let opens = ratio >= options.spikeMinRatio
        && (ratio >= Self.obviousRatio || (prior.count >= 3 && z >= options.spikeZ))
      guard opens else {
        clean.append(i)
        i += 1
        continue
      }
      var peak = i
      var j = i + 1
      while j < finite.count {
        let excess = logs[j] - base
        if excess / sigma < options.recoveryZ || Foundation.exp(excess) < options.recoveryRatio { break }
        if logs[j] > logs[peak] { peak = j }
        j += 1
      }
      let recovery = j < finite.count ? finite[j] : nil
      let start = finite[i]
      let startStep = residuals.step(start)
      let rollbackStep = max(series.steps.first ?? 0, rollback(startStep))
      let recoveryStep = recovery.map { residuals.step($0) }
      let baseline = Foundation.exp(base)
      let peakLoss = residuals.loss(finite[peak])
      found.spikes.append(Spike(
        startStep: startStep, peakStep: residuals.step(finite[peak]), peakLoss: peakLoss,
        baselineLoss: baseline, ratio: peakLoss / baseline, z: (logs[peak] - base) / sigma,
        recoveryStep: recoveryStep, points: j - i, rollbackStep: rollbackStep,
        batchesToSkip: max(0, (recoveryStep ?? residuals.step(finite[j - 1])) - rollbackStep)))
      found.positions.append(start..<(recovery ?? (finite[j - 1] + 1)))
      i = j
    }
    found.divergence = runawayRise(finite: finite, logs: logs, residuals: residuals)
    if let onset = found.divergence?.onset {
      // The rise is the divergence, not a spike that has not recovered.
      let kept = found.positions.indices.filter { found.positions[$0].upperBound <= onset }
      found.spikes = kept.map { found.spikes[$0] }
      found.positions = kept.map { found.positions[$0] }
    }
    return found
  }

  /// The log ends in at least three rises in a row that take the loss to ×1.5 of where they
  /// began: a run blowing up, seen in a few lines.
  private func runawayRise(finite: [Int], logs: [Double], residuals: Residuals) -> (Divergence, onset: Int)? {
    guard finite.count >= 4 else { return nil }
    var first = finite.count - 1
    while first > 0, logs[first - 1] < logs[first] { first -= 1 }
    let rises = finite.count - 1 - first
    let ratio = Foundation.exp(logs[finite.count - 1] - logs[first])
    guard rises >= 3, ratio >= Self.obviousRatio else { return nil }
    let divergence = Divergence(
      startStep: residuals.step(finite[first]), firstNonFiniteStep: nil, nonFiniteCount: 0,
      riseRatio: ratio, severity: ratio >= 2 ? .critical : .warning)
    return (divergence, finite[first])
  }

}
