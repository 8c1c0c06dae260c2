import Foundation
import Testing

@testable import CurveFit

/// A loop that prints its rate on a line of its own, and a bar kept at its last redraw only.
@Suite struct RateLineTests {
  func read(_ text: String) throws -> LossSeries {
    try LogReader(selection: ColumnSelection(), pattern: nil).read(bytes: Array(text.utf8), source: "run.log")
  }

  /// An ImageNet loop's epoch as it prints it: the rate, then the epoch's finished bar with its
  /// mean loss in the description, then the evaluation.
  func epoch(_ e: Int, rate: Double, loss: Double, batches: Int) -> String {
    "Epoch: \(e)\nLearning rate: \(String(format: "%.6f", rate))\n"
      + "Train Epoch: \(e) Loss: \(String(format: "%.3f", loss)) Acc@1 40.000 Acc@5 60.000: 100%|██████████| "
      + "\(batches)/\(batches) [58:59<00:00,  1.41it/s]\n\nTest set: Average loss: 2.0000, Acc@1: 50.000%\n\n"
  }

  @Test func finishedBarsCountOnAndStatedRatesAreRead() throws {
    // Before, every finished bar read as the same count: 70 epochs became two points.
    let rates = (1...6).map { 0.05 * (1 + cos(Double.pi * Double($0 - 1) / 6)) / 2 }
    let losses = [4.5, 3.6, 3.0, 2.8, 2.7, 2.55]
    let text = (1...6).map { epoch($0, rate: rates[$0 - 1], loss: losses[$0 - 1], batches: $0 <= 2 ? 200 : 100) }.joined()
    let series = try read(text)
    #expect(series.origin.format == "text (progress bar (description))")
    // Each bar's count follows the bars before it, whatever their totals (200, 200, then 100).
    #expect(series.steps == [200, 400, 500, 600, 700, 800])
    #expect(series.losses == losses)
    let read = try #require(series.learningRates)
    for (got, want) in zip(read, rates) { #expect(abs(got - want) < 5e-7, "\(got) vs \(want)") }
    #expect(series.origin.notes.contains { $0.contains("stated on lines of their own") })
  }

  @Test func aRateStatedOnceIsASettingNotASchedule() throws {
    // `lr: 0.001` printed once with the config: the loop's rate may decay without a word.
    let lines = ["lr: 0.001", "batch_size: 64"] + (1...20).map { "step \($0 * 10) loss \(String(format: "%.4f", 3 - 0.05 * Double($0)))" }
    let series = try read(lines.joined(separator: "\n") + "\n")
    #expect(series.count == 20)
    #expect(series.learningRates == nil)
  }

  @Test func rateLinesAreOnlyRateLines() {
    #expect(RateLine.rate(in: "Learning rate: 0.049983") == 0.049983)
    #expect(RateLine.rate(in: "  LR = 1e-3 ") == 0.001)
    #expect(RateLine.rate(in: "Current learning rate: 0.01") == 0.01)
    #expect(RateLine.rate(in: "learning_rate=3e-4") == 3e-4)
    #expect(RateLine.rate(in: "lr: [0.000998278903745945]") == 0.000998278903745945)
    #expect(RateLine.rate(in: "lr: [0.001, 0.0001]") == nil)
    #expect(RateLine.rate(in: "lr: 0.1 loss: 2.3") == nil)
    #expect(RateLine.rate(in: "Loss: 0.5") == nil)
    #expect(RateLine.rate(in: "lr: -1") == nil)
    #expect(RateLine.rate(in: "lrm: 0.5") == nil)
  }
}
