import Foundation

/// A one-line picture of the curve for the terminal: the mean loss in `width` log-spaced step
/// bins, drawn with eighth blocks from the lowest to the highest bin.
struct Sparkline {
  static let blocks: [Character] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]

  static func render(_ series: LossSeries, from start: Double, width: Int = 40) -> String? {
    let first = max(start, series.steps.first { $0 > 0 } ?? 1)
    guard let last = series.steps.last, last > first, width > 1 else { return nil }
    let low = Foundation.log(first)
    let span = Foundation.log(last) - low
    // Steps too close to tell apart in log space, or losses whose sums overflow, draw nothing
    // rather than trap converting a non-finite position to an integer.
    guard span.isFinite, span > 0 else { return nil }
    var sums = [Double](repeating: 0, count: width)
    var counts = [Double](repeating: 0, count: width)
    for (step, loss) in zip(series.steps, series.losses) where step >= first && loss.isFinite {
      let position = (Foundation.log(step) - low) / span * Double(width)
      guard position.isFinite else { continue }
      let bin = min(width - 1, max(0, Int(position)))
      sums[bin] += loss
      counts[bin] += 1
    }
    let means = zip(sums, counts).compactMap { $1 > 0 ? $0 / $1 : nil }
    guard let lowest = means.min(), let highest = means.max(), means.count > 1,
      lowest.isFinite, highest.isFinite, (highest - lowest).isFinite
    else { return nil }
    let range = max(highest - lowest, .leastNormalMagnitude)
    return String(means.map { blocks[min(7, Int((($0 - lowest) / range) * 7.999))] })
  }
}
