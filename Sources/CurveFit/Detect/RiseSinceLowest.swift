import Foundation

/// A loss that reached its lowest and has climbed since, gradually: an evaluation loss past its
/// best (a fine-tune that overfits), a training loss drifting up.
///
/// The other detectors miss it. The spike and divergence scans compare each point with a
/// baseline that follows a slow climb; the short-log check wants a jump to ×1.5; the plateau
/// test asks whether a stretch is flatter than the trend before it, and a U-shaped curve has no
/// such trend: a Whisper fine-tune's evaluation loss rising ×1.31 over its five evaluations read
/// "healthy", and a generated U of 60 points "not learning" (its end level with its tenth).
///
/// The level is a running median over a tenth of the points (at least three), in log space. The
/// rise is from the lowest running median to the median of the last tenth: at least ×1.1 (the
/// spike detector's least ratio), six standard errors of a window's median (the noise read from
/// the neighbours' differences: the lowest of many windows sits low by chance; on simulated flat
/// logs in 2–25% noise, 5 to 2,000 points, at most 1.3% are flagged, while a ×1.2 rise in 2%
/// noise is found in 83% of 20-point logs and all of 60), and three steps of the log's printed
/// resolution (a loss printed as 0.0001 and 0.0002 has doubled in its digits only). The lowest
/// window must close before the last opens, and no one step may make half the climb and six
/// times the noise (a jump is a spike).
enum RiseSinceLowest {
  static let minimumPoints = 5
  static let minimumWindow = 3
  static let standardErrors = 6.0
  static let resolutionSteps = 3.0
  /// Windows are taken over at most this many points (strided): ten million rows must not cost
  /// ten million sorts.
  static let sampled = 2_000

  /// The rise and the residual position of its onset (the middle of the lowest window).
  static func divergence(
    _ residuals: Residuals, series: LossSeries, options: HealthOptions
  ) -> (Divergence, onset: Int)? {
    // Strided before the finite ones are picked: ten million rows must not cost an index array.
    let stride = max(1, residuals.values.count / Self.sampled)
    let kept = Swift.stride(from: 0, to: residuals.values.count, by: stride).filter {
      let loss = residuals.loss($0)
      return loss.isFinite && loss > 0
    }
    let n = kept.count
    guard n >= Self.minimumPoints else { return nil }
    let logs = kept.map { Foundation.log(residuals.loss($0)) }
    let window = max(Self.minimumWindow, n / 10)
    let half = window / 2
    let end = logs[(n - window)...].median
    // The lowest centred window that closes before the last window opens.
    var lowest: (level: Double, index: Int)?
    for k in 0..<n where min(n, k + half + 1) <= n - window {
      let level = logs[max(0, k - half)..<min(n, k + half + 1)].median
      if lowest.map({ level < $0.level }) ?? true { lowest = (level, k) }
    }
    guard let lowest else { return nil }
    let rise = end - lowest.level
    let differences = zip(logs.dropFirst(), logs).map { $0 - $1 }
    let center = differences.median
    let sigma = differences.map { abs($0 - center) }.median / (0.6745 * 2.0.squareRoot())
    let standardError = 1.2533 * sigma / Double(window).squareRoot()
    let resolution = LogResolution.of(series, positions: residuals.start..<series.count)
    guard rise >= Foundation.log(options.spikeMinRatio), rise >= Self.standardErrors * standardError,
      Foundation.exp(end) - Foundation.exp(lowest.level) >= Self.resolutionSteps * resolution,
      !isJump(logs, window: max(0, lowest.index - half)..<min(n, lowest.index + half + 1), end: end, sigma: sigma)
    else { return nil }
    let ratio = Foundation.exp(rise)
    let onset = kept[lowest.index]
    let divergence = Divergence(
      startStep: residuals.step(onset), firstNonFiniteStep: nil, nonFiniteCount: 0, riseRatio: ratio,
      severity: ratio >= 2 ? .critical : .warning)
    return (divergence, onset)
  }

  /// One step of the log carries more than `jumpShare` of the climb from the low window's
  /// lowest point, and more than `jumpNoise` times the noise: a jump the loss has not come down
  /// from (a BLOOM excerpt at ×2.6 a step after its low, easing back since) is the spike
  /// detectors' "not recovered", not a drift. (In noisy logs a single step of noise can be half
  /// of a real climb; without the second test 5% noise hid nine rises in ten.)
  private static func isJump(_ logs: [Double], window: Range<Int>, end: Double, sigma: Double) -> Bool {
    guard let low = window.min(by: { logs[$0] < logs[$1] }), low + 1 < logs.count else { return false }
    let climb = max(end, logs[logs.count - 1]) - logs[low]
    let largest = (low + 1..<logs.count).map { logs[$0] - logs[$0 - 1] }.max() ?? 0
    return largest > Self.jumpShare * climb && largest > Self.jumpNoise * sigma
  }

  static let jumpShare = 0.5
  static let jumpNoise = 6.0

}
