import CurveFitTestSupport
import Foundation
import Testing

@testable import CurveFit

/// A real JSONL log (akawslearn-ai/slm_training, Apache-2.0; Fixtures/slm-125m-legal/SOURCE.md).
@Suite struct RealLogTests {
  func fixture() throws -> LossSeries {
    let url = try #require(
      Bundle.module.url(forResource: "Fixtures/slm-125m-legal/metrics", withExtension: "jsonl"))
    return try LogReader().read(path: url.path)
  }

  @Test func restartsAreMergedAsSourceNoteDescribes() throws {
    let series = try fixture()
    // SOURCE.md: 398 lines, steps 20…7,760 every 20 steps, 6 step values logged more than once
    // and three rewinds (20→40→20 at the start, 7580→7520 and 7560→7520 at the end).
    #expect(series.origin.rowsRead == 398)
    #expect(series.count == 388)
    #expect(series.steps.first == 20 && series.steps.last == 7_760)
    #expect(series.origin.restarts == 3)
    // Line 4 logs step 20 again after the first rewind; the later line wins.
    #expect(series.losses.first == 8.552507877349854)
  }

  @Test func realRunFitsAndConverges() throws {
    let analysis = try LossCurveAnalysis.run(try fixture(), options: .init())
    #expect(analysis.fit.converged)
    // The run ends at about 2.2 nats (SOURCE.md); the fitted "now" must agree within noise.
    #expect(abs(analysis.current.value - 2.2) < 0.05)
    #expect(analysis.fit.model.lMin > 1.5 && analysis.fit.model.lMin < 2.2)
  }
}
