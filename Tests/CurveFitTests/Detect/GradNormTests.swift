import CurveFitTestSupport
import Foundation
import Testing

@testable import CurveFit

@Suite struct GradNormTests {
  /// 20,000 steps at 2.5% noise with a small loss bump (×1.11 for 6 steps, robust z ≈ 4, under the
  /// threshold of 6) at step 12,000, and a gradient-norm spike (×6) from two steps before it.
  func log(withGradient: Bool) -> String {
    var random = SeededRandom(seed: 21)
    let truth = PowerLaw(lMin: 2, c: 8, alpha: 0.35)
    var text = withGradient ? "step,loss,grad_norm\n" : "step,loss\n"
    for step in 1...20_000 {
      var loss = truth(Double(step)) * (1 + 0.025 * random.gaussian())
      if (12_000..<12_006).contains(step) { loss *= 1.11 }
      var grad = 0.3 * (1 + 0.05 * random.gaussian())
      if (11_998..<12_002).contains(step) { grad *= 6 }
      text += withGradient ? "\(step),\(loss),\(grad)\n" : "\(step),\(loss)\n"
    }
    return text
  }

  func analyse(_ text: String) throws -> LossCurveAnalysis {
    let series = try LogReader().read(bytes: Array(text.utf8), source: "grad.csv")
    var options = LossCurveAnalysis.Options()
    options.bootstrapResamples = 0
    return try LossCurveAnalysis.run(series, options: options)
  }

  @Test func gradientSpikeBacksASmallLossSpike() throws {
    let withGradient = try analyse(log(withGradient: true))
    let spike = try #require(withGradient.health.spikes.first { abs($0.startStep - 12_000) <= 3 })
    let z = try #require(spike.gradNormZ)
    #expect(z > 6)
    // The gradient peaked on one of its spiked steps, 11,998–12,001: before the loss moved.
    let lead = try #require(spike.gradNormLeadSteps)
    #expect(lead >= 0 && lead <= spike.startStep - 11_998)
    #expect(withGradient.series.origin.gradNormColumn == "grad_norm")
  }

  @Test func withoutTheGradientTheBumpIsBelowThreshold() throws {
    let withoutGradient = try analyse(log(withGradient: false))
    #expect(!withoutGradient.health.spikes.contains { abs($0.startStep - 12_000) <= 3 })
  }

  @Test func gradientColumnIsReadFromJSONLinesToo() throws {
    let text = "{\"step\": 1, \"loss\": 3.0, \"grad_norm\": 1.5}\n{\"step\": 2, \"loss\": 2.9}\n{\"step\": 3, \"loss\": 2.8, \"grad_norm\": 1.2}\n"
    let series = try LogReader().read(bytes: Array(text.utf8), source: "g.jsonl")
    let grads = try #require(series.gradNorms)
    #expect(grads[0] == 1.5 && grads[1].isNaN && grads[2] == 1.2)
  }
}
