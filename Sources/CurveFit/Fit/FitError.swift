/// A fit that cannot even start, as opposed to one that starts and fails to converge.
public enum FitError: Error, Equatable, CustomStringConvertible {
  case tooFewPoints(source: String, found: Int, needed: Int, range: String)
  case invalidRange(from: Double, to: Double)
  /// The annealing law cannot be fitted to this log (no rates, or no decay to measure).
  case noAnnealing(String)
  /// Steps or losses outside the range where their arithmetic means something (`SeriesRange`).
  case unusableValues(source: String, reason: String)
  /// `--from-step` beyond the log's last step.
  case pastTheEnd(source: String, from: Double, last: Double)
  /// Losses below zero where the curve would be fitted (`NegativeLosses`).
  case negativeLoss(source: String, NegativeLosses)

  private static func step(_ value: Double) -> String {
    value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
  }

  public var description: String {
    switch self {
    case .tooFewPoints(let source, let found, let needed, let range):
      "\(source): \(found) finite loss\(found == 1 ? "" : "es") \(range), expected at least \(needed) to fit a curve"
    case .invalidRange(let from, let to):
      "--from-step \(from) is not below --to-step \(to)"
    case .noAnnealing(let reason):
      reason
    case .unusableValues(let source, let reason):
      "\(source): \(reason)"
    case .pastTheEnd(let source, let from, let last):
      "\(source): --from-step \(Self.step(from)) is past the last logged step, \(Self.step(last))"
    case .negativeLoss(let source, let found):
      "\(source): \(found.reason)"
    }
  }
}
