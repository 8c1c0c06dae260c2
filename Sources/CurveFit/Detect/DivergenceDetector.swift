import Foundation

/// Finds a run that is blowing up: non-finite losses, or a sustained rise that never recovers.
///
/// A rise is the last elevated stretch, still open when the finite losses end, at least
/// `divergenceMinPoints` long, and higher in its last quarter than in its first, or stuck at
/// ×1.5 its baseline or more (or followed by non-finite losses): a loss that doubled and stayed
/// there for the rest of the log has not "spiked". Its onset is placed by fitting a hinge `r = level + A·max(0, t − t₀)^p`
/// (p = 1 or 2) to the residuals around it and taking the best `t₀`: a slow rise crosses any
/// threshold late, but the hinge finds where it left the baseline.
struct DivergenceDetector {
  let options: HealthOptions

  /// The divergence, if any, and the residual position from which points are left out of fits.
  func divergence(
    in scan: ElevatedScan, residuals: Residuals, series: LossSeries
  ) -> (Divergence, onset: Int?)? {
    let nonFinite = nonFiniteTail(series)
    let endsNonFinite = nonFinite.endsNonFinite
    if let segment = scan.segments.last, segment.recovery == nil,
      segment.end == residuals.lastFinite,
      segment.end - segment.start + 1 >= options.divergenceMinPoints || endsNonFinite,
      endsNonFinite || (ElevatedScan.isRising(segment, residuals.values) || isStuckHigh(segment, residuals))
        && Self.lossRose(segment, residuals)
    {
      // A jump to a level it then holds has no slow ramp for the hinge to find: it starts where
      // the loss began to climb into it.
      let jumped = !endsNonFinite && !ElevatedScan.isRising(segment, residuals.values)
      let onset = jumped ? segment.start : hingeOnset(segment, residuals)
      let ratio = residuals.ratio(at: segment.end, over: segment.level)
      let divergence = Divergence(
        startStep: residuals.step(onset), firstNonFiniteStep: nonFinite.first,
        nonFiniteCount: nonFinite.count, riseRatio: ratio,
        severity: endsNonFinite || ratio >= 2 || jumped ? .critical : .warning)
      return (divergence, onset)
    }
    guard let first = nonFinite.first,
      skipped(in: scan, residuals: residuals, series: series) == nil
    else { return nil }
    let divergence = Divergence(
      startStep: first, firstNonFiniteStep: first, nonFiniteCount: nonFinite.count,
      riseRatio: 1, severity: endsNonFinite ? .critical : .warning)
    let onset = series.steps.lowerIndex(atLeast: first) - residuals.start
    return (divergence, endsNonFinite && onset >= 0 && onset < residuals.count ? onset : nil)
  }

  /// Non-finite losses the run went on from (`SkippedNonFinite`): no excursion above the trend
  /// is still open at or after the first of them (a NaN, then a loss stuck at twice its level,
  /// is where a run broke, not a skipped step).
  func skipped(in scan: ElevatedScan, residuals: Residuals, series: LossSeries) -> SkippedNonFinite? {
    guard let skipped = SkippedNonFinite.find(series, minimumAfter: options.divergenceMinPoints) else { return nil }
    let first = series.steps.lowerIndex(atLeast: skipped.firstStep) - residuals.start
    let open = scan.segments.contains { $0.recovery == nil && $0.end >= first }
    return open ? nil : skipped
  }

  /// The stretch's median point is at least ×1.5 its baseline.
  private func isStuckHigh(_ segment: ElevatedScan.Segment, _ residuals: Residuals) -> Bool {
    let positions = (segment.start...segment.end).filter { residuals.values[$0].isFinite }
      .sorted { residuals.values[$0] < residuals.values[$1] }
    guard !positions.isEmpty else { return false }
    return residuals.ratio(at: positions[positions.count / 2], over: segment.level) >= Self.stuckRatio
  }

  static let stuckRatio = 1.5

  /// Whether the loss itself went up into the stretch: the median of its last quarter above the
  /// median of as many finite losses just before it (true when there are none to compare with).
  /// A stretch is elevated over the trend, and a trend can undershoot a run that has gone
  /// nearly flat: a power law without a floor, fitted through the steep fall of a run memorising
  /// its data, left a character-level nanoGPT still edging down (0.046 → 0.040) ×1.3 above it
  /// from step 2,750 on, and the run was called diverging.
  static func lossRose(_ segment: ElevatedScan.Segment, _ residuals: Residuals) -> Bool {
    let inside = (segment.start...segment.end).filter { residuals.loss($0).isFinite }
    let quarter = max(1, inside.count / 4)
    let before = (0..<segment.start).reversed().lazy.filter { residuals.loss($0).isFinite }.prefix(quarter).map(residuals.loss)
    guard before.count == quarter, !inside.isEmpty else { return true }
    return median(inside.suffix(quarter).map(residuals.loss)) > median(Array(before))
  }

  private static func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    let middle = sorted.count / 2
    return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
  }

  /// A slow rise the scan's baseline kept up with: an ongoing "plateau" over which the loss
  /// climbed by at least `spikeMinRatio` (a mean of its last tenth over its first tenth). The
  /// plateau test only asks whether the loss stopped falling; a loss that rose by 10% or more and
  /// is still up is a divergence. Its onset is the run's lowest loss before the rise: the trend
  /// has absorbed part of so slow a rise, leaving the residuals no sharp knee for the hinge.
  func sustainedRise(
    _ plateau: Plateau, residuals: Residuals, series: LossSeries
  ) -> (Divergence, onset: Int)? {
    guard plateau.ongoing, plateau.improvementPer1k < 0 else { return nil }
    let start = series.steps.lowerIndex(atLeast: plateau.startStep) - residuals.start
    let end = residuals.count - 1
    guard start >= 0, end - start + 1 >= options.divergenceMinPoints else { return nil }
    let finite = (start...end).filter { residuals.values[$0].isFinite && residuals.loss($0).isFinite }
    let tenth = max(1, finite.count / 10)
    guard finite.count >= 2 * tenth else { return nil }
    let early = finite.prefix(tenth).reduce(0) { $0 + residuals.loss($1) } / Double(tenth)
    let late = finite.suffix(tenth).reduce(0) { $0 + residuals.loss($1) } / Double(tenth)
    guard early > 0, late >= options.spikeMinRatio * early else { return nil }
    let length = end - start + 1
    let onset = lowestLoss(residuals, in: max(0, start - 2 * length)...end) ?? start
    let ratio = late / early
    let divergence = Divergence(
      startStep: residuals.step(onset), firstNonFiniteStep: nil, nonFiniteCount: 0, riseRatio: ratio,
      severity: ratio >= 2 ? .critical : .warning)
    return (divergence, onset)
  }

  private func nonFiniteTail(_ series: LossSeries) -> (first: Double?, count: Int, endsNonFinite: Bool) {
    var first: Double?
    var count = 0
    for i in 0..<series.count where !series.losses[i].isFinite {
      if first == nil { first = series.steps[i] }
      count += 1
    }
    let endsNonFinite = series.losses.last.map { !$0.isFinite } ?? false
    return (first, count, endsNonFinite)
  }

  /// The best hinge point in `[start − 2·length, end]`, by least squares with suffix sums: O(n).
  ///
  /// The hinge is never placed before the run's lowest loss in that window when a real rise
  /// follows it: a run that was still setting new lows had not started to diverge, whatever the
  /// trend says. (A trend fitted through a run that blew up half-way is nearly flat; against it
  /// the early, falling steps look elevated, and the hinge would place the onset at the start.)
  /// The points before it still enter the regression, which needs them for the level.
  private func hingeOnset(_ segment: ElevatedScan.Segment, _ residuals: Residuals) -> Int {
    let length = segment.end - segment.start + 1
    let low = max(0, segment.start - 2 * max(length, options.divergenceMinPoints))
    let high = segment.end
    var earliest = low
    if let lowest = lowestLoss(residuals, in: low...high), lowest + options.divergenceMinPoints <= high {
      earliest = lowest
    }
    guard high - low >= 3 else { return max(segment.start, earliest) }
    let finite = (low...high).filter { residuals.values[$0].isFinite }
    guard finite.count >= 4 else { return max(segment.start, earliest) }
    let t0 = residuals.step(low)
    let span = max(residuals.step(high) - t0, .leastNormalMagnitude)
    let t = finite.map { (residuals.step($0) - t0) / span }
    let d = finite.map { residuals.values[$0] - segment.level }
    let n = t.count
    // Suffix sums S[k] over points k..<n of t^a·d and t^a.
    var sd = [Double](repeating: 0, count: n + 1)
    var std = sd, sttd = sd, s1 = sd, st = sd, stt = sd, st3 = sd, st4 = sd
    for k in stride(from: n - 1, through: 0, by: -1) {
      let x = t[k]
      sd[k] = sd[k + 1] + d[k]
      std[k] = std[k + 1] + x * d[k]
      sttd[k] = sttd[k + 1] + x * x * d[k]
      s1[k] = s1[k + 1] + 1
      st[k] = st[k + 1] + x
      stt[k] = stt[k + 1] + x * x
      st3[k] = st3[k + 1] + x * x * x
      st4[k] = st4[k + 1] + x * x * x * x
    }
    // Regress d on [1, h] with h = max(0, t − t_j)^p, the level free too: a level frozen while
    // the baseline was already creeping up would push the onset late.
    let total = sd[0]
    let count = Double(n)
    var best = (gain: 0.0, index: max(segment.start, earliest))
    for j in 0..<(n - 2) where finite[j] >= earliest {
      let h = t[j]
      let k = j + 1
      let h2 = h * h
      let linearSquares: Double = stt[k] - 2 * h * st[k] + h2 * s1[k]
      let linear = (h: st[k] - h * s1[k], hh: linearSquares, hd: std[k] - h * sd[k])
      var quarticSquares: Double = st4[k] - 4 * h * st3[k]
      quarticSquares += 6 * h2 * stt[k] - 4 * h2 * h * st[k]
      quarticSquares += h2 * h2 * s1[k]
      let quadraticCross: Double = sttd[k] - 2 * h * std[k] + h2 * sd[k]
      let quadratic = (h: linearSquares, hh: quarticSquares, hd: quadraticCross)
      let sums = [linear, quadratic]
      for sum in sums {
        let cross = sum.hd - sum.h * total / count
        let squares = sum.hh - sum.h * sum.h / count
        guard cross > 0, squares > 0 else { continue }
        // SSR falls by cross²/squares when the hinge starts at t_j.
        let gain = cross * cross / squares
        if gain > best.gain { best = (gain, finite[j]) }
      }
    }
    return best.index
  }

  /// The position of the lowest finite loss in `range` (the first, on ties).
  private func lowestLoss(_ residuals: Residuals, in range: ClosedRange<Int>) -> Int? {
    var best: (position: Int, loss: Double)?
    for position in range {
      let loss = residuals.loss(position)
      guard loss.isFinite else { continue }
      if loss < (best?.loss ?? .infinity) { best = (position, loss) }
    }
    return best?.position
  }
}

