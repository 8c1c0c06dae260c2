import CurveFitTestSupport
import Foundation
import Testing

@testable import CurveFit

/// Fine bins are the fit's only view of a long series: each must hold exactly its points.
@Suite struct LogBinnedSumsTests {
  /// Above 2^20 points the bins are built in two halves on two cores and added; the result must
  /// equal a plain one-thread walk over the points, bin for bin.
  @Test func halvesAddUpToTheSerialWalk() {
    let log = SyntheticLog(
      truth: PowerLaw(lMin: 2, c: 8, alpha: 0.35), count: 1_300_000, noise: 0.02, seed: 11)
    let series = log.series
    let excluded = StepRanges([400_000...400_050, 900_000...900_010])
    let sums = LogBinnedSums(series: series, positions: 0..<series.count, excluded: excluded, bins: 4_096)

    var counts = [Double](repeating: 0, count: 4_096)
    var sumY = counts
    var used = 0
    for (step, loss) in zip(series.steps, series.losses) where !excluded.contains(step) {
      let bin = LogBinnedSums.bin(of: step, bins: 4_096, low: sums.logLow, width: sums.width)
      counts[bin] += 1
      sumY[bin] += loss
      used += 1
    }
    #expect(sums.used == used)
    #expect(used == 1_300_000 - 51 - 11)
    #expect(sums.counts == counts)
    // Sums may differ only by rounding (the one bin the halves share adds two partial sums).
    let worst = zip(sums.sumY, sumY).map { abs($0 - $1) / max(abs($1), 1) }.max() ?? 0
    #expect(worst < 1e-12)
  }
}
