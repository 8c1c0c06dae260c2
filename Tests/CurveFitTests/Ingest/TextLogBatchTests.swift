import Foundation
import Testing

@testable import CurveFit

/// Console logs are matched a batch of lines at a time on every core, then read in order: the
/// series is the one a line-by-line read gives.
@Suite struct TextLogBatchTests {
  func read(_ text: String) throws -> LossSeries {
    try LogReader(selection: ColumnSelection(), pattern: nil).read(bytes: Array(text.utf8), source: "train.log")
  }

  /// The loss at `step` as nanoGPT prints it, to four decimals.
  static func loss(_ step: Int) -> String { String(format: "%.4f", 2 + 5 * pow(Double(step) + 1, -0.3)) }

  @Test("a nanoGPT log of 40,000 steps across three batches reads every step, in order, with its config")
  func longLogReadsInOrder() throws {
    var text = "max_iters = 40000\nlr_decay_iters = 40000\nwarmup_iters = 100\nmin_lr = 6e-5\nlearning_rate = 6e-4\n"
    for step in 0..<40_000 {
      text += "iter \(step): loss \(Self.loss(step)), time 12.34ms, mfu 30.12%\n"
      // Evaluation lines between the steps match no training line; they are read in their place.
      if step % 2_000 == 0 { text += "step \(step): train loss \(Self.loss(step)), val loss 3.1000\n" }
    }
    let series = try read(text)
    #expect(series.origin.format == "text (nanoGPT)")
    #expect(series.steps == (0..<40_000).map(Double.init))
    #expect(series.losses == (0..<40_000).map { Double(Self.loss($0))! })
    #expect(series.origin.rowsRead == 40_000 + 20 + 5)
    // The config before the first loss still states the schedule (read while no loss was seen).
    #expect(series.origin.statedSchedule?.decayEnd == 40_000 && series.origin.statedSchedule?.warmupSteps == 100)
  }

  @Test("a step too long to be a number, past the first batch, names its own line")
  func badStepNamesItsLine() throws {
    var text = ""
    for step in 0..<20_000 {
      text += "iter \(step == 18_000 ? String(repeating: "9", count: 400) : String(step)): loss \(Self.loss(step)), time 12.34ms\n"
    }
    #expect {
      _ = try read(text)
    } throws: { error in
      "\(error)".contains("train.log:18001")
    }
  }

  @Test("matching in parallel gives each line's own match")
  func parallelMatchesAreEachLines() throws {
    let pattern = try #require(TextLogPattern.known.first { $0.name == "nanoGPT" })
    let lines = (0..<5_000).map { $0 % 7 == 0 ? "not a loss line \($0)" : "iter \($0): loss \(Self.loss($0)), time 1ms" }
    let batched = pattern.matchAll(lines)
    #expect(batched.count == lines.count)
    for (line, found) in zip(lines, batched) {
      let alone = pattern.match(line)
      #expect(alone?.step == found?.step && alone?.loss == found?.loss, "\(line)")
    }
  }
}
