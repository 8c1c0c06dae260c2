/// The magnitudes a training curve can have and still mean something in double precision.
///
/// Checked once, where a series enters the analysis: steps near 1e300 (or 1e16 apart by 2)
/// cannot be told apart, and sums of losses near 1e308 overflow, which traps the first integer
/// conversion that meets them. Such inputs are not logs a trainer writes; they get one clear
/// error instead of a crash or a silent `inf` in the report.
public struct SeriesRangeError: Error, Sendable {
  public var reason: String
}

public enum SeriesRange {
  /// Losses above this are not losses in nats (e^1e15): an overflowed value or another metric.
  public static let maximumLoss = 1e15
  /// Steps (or tokens) beyond this are not counts a run reaches, and are past Int's range.
  public static let maximumStep = 1e18
  /// The step span must be at least this fraction of the largest step, so that consecutive
  /// steps differ by many units of precision (2^-52 ≈ 2e-16).
  public static let minimumRelativeSpan = 1e-9

  /// The series ready to analyse, or why it cannot be.
  ///
  /// Losses above `maximumLoss` at the very end of a log are a blow-up on its way to `inf` (fp32
  /// prints 1e20 before it overflows): they are read as non-finite, which the divergence detector
  /// reports, with a note. Anywhere else they are an error.
  public static func prepared(_ series: LossSeries) -> Result<LossSeries, SeriesRangeError> {
    if let problem = problem(series) { return .failure(SeriesRangeError(reason: problem)) }
    guard let lastNormal = series.losses.lastIndex(where: { $0.isFinite && abs($0) <= maximumLoss }) else {
      if let index = series.losses.firstIndex(where: { $0.isFinite }) {
        return .failure(SeriesRangeError(
          reason: "loss \(short(series.losses[index])) at step \(short(series.steps[index])): losses above 1e15 are not losses in nats"
            + " (a perplexity? --input-units ppl)"))
      }
      return .success(series)
    }
    if let index = series.losses[..<lastNormal].firstIndex(where: { $0.isFinite && abs($0) > maximumLoss }) {
      return .failure(SeriesRangeError(
        reason: "loss \(short(series.losses[index])) at step \(short(series.steps[index])): losses above 1e15 are not losses in nats"
          + " (a perplexity? --input-units ppl)"))
    }
    guard let firstHuge = series.losses[lastNormal...].firstIndex(where: { $0.isFinite && abs($0) > maximumLoss }) else {
      return .success(series)
    }
    var losses = series.losses
    for index in firstHuge..<losses.count where losses[index].isFinite && abs(losses[index]) > maximumLoss {
      losses[index] = .infinity
    }
    var origin = series.origin
    origin.notes.append("losses above 1e15 from step \(short(series.steps[firstHuge])) on are read as an overflow (non-finite)")
    return .success(LossSeries(
      sortedSteps: series.steps, losses: losses, gradNorms: series.gradNorms, learningRates: series.learningRates,
      origin: origin))
  }

  /// Why the steps of `series` cannot be analysed, or `nil` when they are usable.
  static func problem(_ series: LossSeries) -> String? {
    guard let first = series.steps.first, let last = series.steps.last else { return nil }
    let largest = max(abs(first), abs(last))
    if largest > maximumStep {
      return "steps up to \(short(largest)): steps beyond \(short(maximumStep)) are not step or token counts"
    }
    if series.count > 1, largest > 0, (last - first) < minimumRelativeSpan * largest {
      return "steps \(String(format: "%.17g", first))–\(String(format: "%.17g", last)) cannot be told apart at double precision"
        + " (their span is below a billionth of their size)"
    }
    return nil
  }

  private static func short(_ value: Double) -> String {
    abs(value) >= 1e6 || (abs(value) < 1e-3 && value != 0)
      ? String(format: "%.4g", value) : String(format: "%.6g", value)
  }
}
