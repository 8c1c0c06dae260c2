import Foundation

/// The fitted curve's loss at the last step against what the log shows there, when the two are
/// far apart: the law does not follow the end of the run, and "now" is not the run's loss.
///
/// A Whisper fine-tune memorising its data, cut at half, was fitted by a pure power law that
/// ends at 0.0216 where its last eight losses have a median of 0.0114; the report printed
/// "now (fitted) 0.0216" with nothing to say it was twice the run's loss.
public struct EndGap: Sendable, Equatable {
  /// The projecting law's loss at the last step.
  public var fitted: Double
  /// The median of the last `points` usable losses.
  public var logged: Double
  public var points: Int

  /// Apart by more than this share of the logged loss (10%)…
  static let relative = 0.10
  /// …and by more than this many standard errors of the logged median.
  static let standardErrors = 3.0
  /// Apart by more than this factor, the curve misses where the run is: a projection from it
  /// starts from the wrong loss. Memorising fine-tunes whose loss falls faster than any power
  /// law (Whisper-small Hindi: fitted 0.0197 at its last step, logged 0.0002) printed every
  /// projection beside a warning that the curve did not follow the run.
  static let missedFactor = 2.0

  /// The fitted curve ends more than `missedFactor` above or below the log.
  var isMissed: Bool { fitted > Self.missedFactor * logged || Self.missedFactor * fitted < logged }

  /// Why a curve that misses the log projects nothing (in nats: the forecast is made before
  /// any display unit).
  var reason: String {
    let ratio = fitted / logged
    let factor = ratio >= 1 ? "×\(NumberFormat.significant(ratio, 2))" : "×1/\(NumberFormat.significant(1 / ratio, 2))"
    return "the fitted curve ends at \(NumberFormat.significant(fitted, 3)) nats where the log's last "
      + "\(points) losses have a median of \(NumberFormat.significant(logged, 3)) (\(factor)): "
      + "the fitted laws do not follow the end of this run"
      + (ratio >= 1 ? " (its loss falls faster than a power law, as when a model memorises its data)" : " (it ends above them)")
  }

  /// Apart by more than this share of the logged loss (3%) and this many standard errors of
  /// the logged median (5), though within `relative`, the curve misfits the end of the run:
  /// its projections start from where it ends, not where the run is. Of the 60 cuts of the
  /// real logs of `make forecast` (1/2, 1/5, 1/10), three are so far apart, and they are three
  /// of the eight largest errors: the Star drafter from half (the curve 5% below its last
  /// losses; projected −13%), build-nanogpt without warm-up from a tenth (3% above; −13%) and
  /// Smol LR 5e-2 from a tenth (4% below; −12%). Of the 150 reports of the real files it is said
  /// of one, the Star drafter's whole trainer state (3.74 against 4.00).
  static let misfitRelative = 0.03
  static let misfitStandardErrors = 5.0

  /// The gap between `fitted` and the median of the log's last losses when it is a misfit
  /// (`misfitRelative`) but not the gap `measure` reports.
  static func misfit(fitted: Double, recent: Recent) -> EndGap? {
    guard fitted.isFinite, measure(fitted: fitted, recent: recent) == nil else { return nil }
    let gap = abs(fitted - recent.median)
    guard gap > misfitRelative * recent.median, gap > misfitStandardErrors * recent.standardError else { return nil }
    return EndGap(fitted: fitted, logged: recent.median, points: recent.count)
  }

  /// The median of the log's last usable losses, its standard error and their count.
  typealias Recent = (median: Double, standardError: Double, count: Int)

  /// The losses the logged median is taken over: a tenth of the fitted points, 5 to 1,000.
  static func window(fittedPoints: Int) -> Int { min(1_000, max(5, fittedPoints / 10)) }

  /// The gap between `fitted` and the last usable losses of `series` up to `lastStep`, or `nil`
  /// when they agree within 10% or within the noise.
  static func measure(
    fitted: Double, series: LossSeries, lastStep: Double, excluded: StepRanges, fittedPoints: Int
  ) -> EndGap? {
    lastLosses(series, lastStep: lastStep, excluded: excluded, fittedPoints: fittedPoints)
      .flatMap { measure(fitted: fitted, recent: $0) }
  }

  /// The gap between `fitted` and the median of the log's last losses, `recent`.
  static func measure(fitted: Double, recent: Recent) -> EndGap? {
    guard fitted.isFinite else { return nil }
    let gap = abs(fitted - recent.median)
    guard gap > relative * recent.median, gap > standardErrors * recent.standardError else { return nil }
    return EndGap(fitted: fitted, logged: recent.median, points: recent.count)
  }

  /// The median of the last usable losses up to `lastStep` (a tenth of the fitted points, 5 to
  /// 1,000), its standard error and their count; `nil` with fewer than 5 or a median at or
  /// below zero.
  static func lastLosses(
    _ series: LossSeries, lastStep: Double, excluded: StepRanges, fittedPoints: Int, detrended: Bool = false
  ) -> Recent? {
    let wanted = window(fittedPoints: fittedPoints)
    var recent: [Double] = []
    var logSteps: [Double] = []
    var index = series.steps.upperIndex(atMost: lastStep)
    while index > 0, recent.count < wanted {
      index -= 1
      let (step, loss) = (series.steps[index], series.losses[index])
      guard step > 0, loss.isFinite, !excluded.contains(step) else { continue }
      recent.append(loss)
      logSteps.append(log(step))
    }
    guard recent.count >= 5 else { return nil }
    let scatter = detrended ? residualsFromLine(logSteps, recent) : nil
    recent.sort()
    let logged = recent[recent.count / 2]
    guard logged > 0 else { return nil }
    let deviations = (scatter ?? recent.map { abs($0 - logged) }).sorted()
    // 1.4826·MAD estimates σ; the median of n points has a standard error of about 1.2533·σ/√n.
    let noise = 1.2533 * 1.4826 * deviations[deviations.count / 2] / Double(recent.count).squareRoot()
    return (logged, noise, recent.count)
  }

  /// The absolute residuals of `y` about its least-squares line in `x`: the scatter of a window
  /// that spans a trend. A sparse log's window of five losses can span a third of the run, and
  /// their spread about their median is the fall itself, not the noise.
  static func residualsFromLine(_ x: [Double], _ y: [Double]) -> [Double]? {
    let n = Double(x.count)
    let (meanX, meanY) = (x.reduce(0, +) / n, y.reduce(0, +) / n)
    let sxx = x.reduce(0) { $0 + ($1 - meanX) * ($1 - meanX) }
    guard sxx > 0 else { return nil }
    let slope = zip(x, y).reduce(0) { $0 + ($1.0 - meanX) * ($1.1 - meanY) } / sxx
    return zip(x, y).map { abs($0.1 - meanY - slope * ($0.0 - meanX)) }
  }
}
