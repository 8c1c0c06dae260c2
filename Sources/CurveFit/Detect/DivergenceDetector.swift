import Foundation

/// Finds a run that is blowing up: non-finite losses, or a sustained rise that never recovers.
///
/// A rise is the last elevated stretch, still open when the finite losses end, at least
/// `divergenceMinPoints` long, and higher in its last quarter than in its first (or followed by
/// non-finite losses). Its onset is placed by fitting a hinge `r = level + A·max(0, t − t₀)^p`
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
      endsNonFinite || ElevatedScan.isRising(segment, residuals.values)
    {
      let onset = hingeOnset(segment, residuals)
      let ratio = residuals.ratio(at: segment.end, over: segment.level)
      let divergence = Divergence(
        startStep: residuals.step(onset), firstNonFiniteStep: nonFinite.first,
        nonFiniteCount: nonFinite.count, riseRatio: ratio,
        severity: endsNonFinite || ratio >= 2 ? .critical : .warning)
      return (divergence, onset)
    }
    guard let first = nonFinite.first else { return nil }
    let divergence = Divergence(
      startStep: first, firstNonFiniteStep: first, nonFiniteCount: nonFinite.count,
      riseRatio: 1, severity: endsNonFinite ? .critical : .warning)
    let onset = series.steps.lowerIndex(atLeast: first) - residuals.start
    return (divergence, endsNonFinite && onset >= 0 && onset < residuals.count ? onset : nil)
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
  private func hingeOnset(_ segment: ElevatedScan.Segment, _ residuals: Residuals) -> Int {
    let length = segment.end - segment.start + 1
    let low = max(0, segment.start - 2 * max(length, options.divergenceMinPoints))
    let high = segment.end
    guard high - low >= 3 else { return segment.start }
    let finite = (low...high).filter { residuals.values[$0].isFinite }
    guard finite.count >= 4 else { return segment.start }
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
    var best = (gain: 0.0, index: segment.start)
    for j in 0..<(n - 2) {
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
}

