import CurveFitTestSupport
import Foundation
import Testing

@testable import CurveFit

/// The running answer equals the stretch summed afresh at every length.
@Suite struct RiseTrackerTests {
  @Test func agreesWithTheFreshSumAtEveryLength() {
    for seed in 1...20 {
      var random = SeededRandom(seed: UInt64(seed))
      // A climb, a flat stretch or a fall, with noise and a few non-finite points.
      let slope = Double(seed % 3 - 1) * 0.002
      let values = (0..<400).map { k -> Double in
        random.uniform() < 0.03 ? .nan : slope * Double(k) + 0.05 * random.gaussian()
      }
      let start = seed * 3
      var tracker = RiseTracker(start: start)
      for end in start..<values.count {
        let segment = ElevatedScan.Segment(start: start, peak: start, peakZ: 0, recovery: nil, end: end, level: 0, scale: 0.02)
        #expect(tracker.isRising(through: end, values, scale: 0.02) == ElevatedScan.isRising(segment, values), "seed \(seed), end \(end)")
      }
    }
  }
}
