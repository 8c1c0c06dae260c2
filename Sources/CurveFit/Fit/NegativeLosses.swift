import Foundation

/// Losses below zero in the range a curve would be fitted to.
///
/// Every law curvefit fits falls towards a floor at or above zero (cross-entropy in nats or
/// bits, perplexity, a squared error), and its intervals are relative to the loss. A loss that
/// can be negative (the log-likelihood of continuous data, an ELBO, a loss with an offset) has
/// no such floor: fitted anyway, the power law pinned its floor and `C` at zero and printed a
/// projected loss of 0 with a change of "+nan%". Such a log gets its health verdict and a
/// stated reason instead of a fit.
public struct NegativeLosses: Sendable, Equatable {
  /// The first negative loss and its step.
  public var step: Double
  public var loss: Double
  /// How many of the range's finite losses are negative, of how many.
  public var count: Int
  public var finite: Int

  /// Fewer negative losses than this share of the finite ones (and than `leastCount`) are
  /// glitches of a positive loss (a float's rounding below zero), fitted as they are.
  static let leastShare = 0.01
  static let leastCount = 3

  /// The negative losses of `series` at steps in `range`, or `nil` when there are none, or so
  /// few that they are glitches.
  public static func find(_ series: LossSeries, in range: ClosedRange<Double>) -> NegativeLosses? {
    let low = series.steps.lowerIndex(atLeast: range.lowerBound)
    let high = max(low, series.steps.upperIndex(atMost: range.upperBound))
    // A branch-free pass first: ten million losses cost a few milliseconds, and almost every
    // log has no negative one.
    let anyNegative = series.losses.withUnsafeBufferPointer { losses in
      var found: UInt8 = 0
      for i in low..<high {
        let loss = losses[i]
        found |= (loss < 0 ? 1 : 0) & (loss > -.infinity ? 1 : 0)
      }
      return found != 0
    }
    guard anyNegative else { return nil }
    var first: Int?
    var count = 0
    var finite = 0
    series.losses.withUnsafeBufferPointer { losses in
      for i in low..<high where losses[i].isFinite {
        finite += 1
        guard losses[i] < 0 else { continue }
        count += 1
        if first == nil { first = i }
      }
    }
    guard let first, count >= leastCount, Double(count) >= leastShare * Double(finite) else { return nil }
    return NegativeLosses(step: series.steps[first], loss: series.losses[first], count: count, finite: finite)
  }

  /// Why no curve is fitted, without the file name.
  public var reason: String {
    let others = count > 1 ? " (\(NumberFormat.count(Double(count))) of the \(NumberFormat.count(Double(finite))) finite losses in the fitted range are)" : ""
    return "loss \(String(format: "%.6g", loss)) at step \(NumberFormat.count(step)) is below zero\(others): "
      + "curvefit's laws fall towards a floor at or above zero (cross-entropy, perplexity, a squared error); "
      + "a loss that can be negative (a log-likelihood of continuous data, an ELBO) has no such floor, "
      + "so no curve is fitted (--metric picks another column)"
  }
}
