import CurveFitTestSupport
import Foundation
import Testing

@testable import CurveFit

/// A decay whose first logged rate is already below its peak: no warm-up and the first rate
/// logged after step 0, or a warm-up shorter than the logging interval.
@Suite("Unseen peak")
struct UnseenPeakTests {
  /// Rates every `every` steps from `every` to `cut` of a decay from `peak` at step 0 to
  /// `floor × peak` at `total`, with a power-law loss.
  static func series(total: Double, every: Int, cut: Int, peak: Double = 3e-5, floor: Double = 0,
    decay: LearningRateSchedule.Decay) -> LossSeries
  {
    let steps = Swift.stride(from: every, through: cut, by: every).map(Double.init)
    let rates = steps.map { peak * (floor + (1 - floor) * decay($0 / total)) }
    var origin = SeriesOrigin(
      source: "unseen-peak", format: "csv", stepColumn: "step", lossColumn: "loss", columns: ["step", "loss", "lr"])
    origin.learningRateColumn = "lr"
    return LossSeries(steps: steps, losses: steps.map { 0.05 + 3 * Foundation.pow($0, -0.5) }, learningRates: rates, origin: origin)
  }

  @Test("a linear decay to zero logged every 100 of 2,315 steps, cut at 1,100, ends at 2,315 from a peak above its first rate")
  func linearFromAnUnseenPeak() throws {
    // DNABERT-2's fine-tune (the Trainer's defaults): before, a cosine to 55% ending at 1,190.
    let schedule = try #require(LearningRateSchedule.detect(
      Self.series(total: 2_315, every: 100, cut: 1_100, decay: LearningRateSchedule.linearDecay)))
    #expect(schedule.shape == .linear)
    #expect(abs(schedule.plannedEnd - 2_315) / 2_315 < 0.01, "\(schedule.plannedEnd)")
    #expect(schedule.floorRatio < 0.01, "\(schedule.floorRatio)")
    #expect(schedule.warmupSteps == 0)
    // The peak at step 0, 3e-5, not the first logged rate, 2.87e-5.
    #expect(abs(schedule.peakRate - 3e-5) / 3e-5 < 0.002, "\(schedule.peakRate)")
    #expect(abs(schedule.observed.rate(at: 0) - 1) < 1e-9)
    #expect(abs(schedule.observed.rate(at: 1_100) - (1 - 1_100 / 2_315)) < 0.002)
  }

  @Test("a cosine to 10% logged every 500 of 10,000 steps, cut at half, ends at 10,000")
  func cosineFromAnUnseenPeak() throws {
    let schedule = try #require(LearningRateSchedule.detect(
      Self.series(total: 10_000, every: 500, cut: 5_000, floor: 0.1, decay: LearningRateSchedule.cosineDecay)))
    #expect(schedule.shape == .cosine)
    #expect(abs(schedule.plannedEnd - 10_000) / 10_000 < 0.01, "\(schedule.plannedEnd)")
    #expect(abs(schedule.floorRatio - 0.1) < 0.01, "\(schedule.floorRatio)")
  }

  @Test("a cosine after a 6-step warm-up logged every 5 of 120 steps, cut at 60, ends near 120")
  func cosineAfterAWarmupBetweenLogs() throws {
    // A fine-tune's trainer state (the Trainer's cosine, warmup_ratio 0.05): 67% of the peak at
    // step 5, 99.8% at step 10, falling since. Read from step 10 at that rate, it ended at step 94.
    let steps = Swift.stride(from: 5, through: 60, by: 5).map(Double.init)
    let rates = steps.map { $0 < 6 ? 1e-5 * $0 / 6 : 1e-5 * LearningRateSchedule.cosineDecay(($0 - 6) / 114) }
    let line = Self.series(total: 120, every: 5, cut: 60, decay: LearningRateSchedule.cosineDecay)
    let series = LossSeries(steps: steps, losses: line.losses, learningRates: rates, origin: line.origin)
    let schedule = try #require(LearningRateSchedule.detect(series))
    #expect(schedule.shape == .cosine)
    #expect(abs(schedule.warmupSteps - 6) <= 2, "\(schedule.warmupSteps)")
    #expect(abs(schedule.plannedEnd - 120) / 120 < 0.03, "\(schedule.plannedEnd)")
    // The run's length given, the decay ends there.
    let declared = try #require(LearningRateSchedule.detect(series, plannedLength: 120))
    #expect(abs(declared.plannedEnd - 120) < 0.5, "\(declared.plannedEnd)")
  }

  @Test("a Trainer console read by epoch (0.02 apart) from an unseen peak projects finite losses, with no planned end in steps")
  func consoleReadByEpochProjects() throws {
    // The fuzz corpus's hf-console.log: its decay read from step 0 made the 2× run's S1 negative
    // (segments a thousandth of an "epoch" long, the rate falling three times itself per unit):
    // NaN losses, and a trap building their interval.
    let lines = (1...9).map { k in
      "{'loss': \(String(format: "%.4f", 2 + 0.9 * Foundation.pow(0.02 * Double(k), -0.35))), 'grad_norm': 1.5, "
        + "'learning_rate': \(5e-5 * (1 - 0.005 * Double(k))), 'epoch': \(String(format: "%.2f", 0.02 * Double(k)))}"
    }
    let text = "***** Running training *****\n  Total optimization steps = 2000\n" + lines.joined(separator: "\n") + "\n"
    let series = try LogReader().read(bytes: Array(text.utf8), source: "console.log")
    #expect(series.origin.axis == .epochs && series.origin.plannedSteps == nil)
    let schedule = try #require(LearningRateSchedule.detect(series))
    #expect(schedule.shape == .linear && abs(schedule.plannedEnd - 4) < 0.05, "\(schedule.plannedEnd)")
    let twice = SchedulePlan(following: schedule).curve(length: 0.36, from: schedule).areas(at: [0.36], lambda: 0.999)
    // A run that long stretches the line to end at 0.36 on zero: S1 = 0.36 / 2 (it was −0.32).
    #expect(abs(twice.s1[0] - 0.18) < 0.005, "\(twice.s1)")
    let analysis = try LossCurveAnalysis.run(series, options: .init())
    #expect(analysis.projections.allSatisfy { $0.loss.value.isFinite && $0.loss.ci95 != nil }, "\(analysis.projections.map(\.loss))")
  }

  @Test("a rate logged at step 0, or held at its peak before decaying, keeps its logged peak")
  func loggedPeakIsKept() throws {
    let fromZero = try #require(LearningRateSchedule.detect(
      Self.series(total: 10_000, every: 500, cut: 5_000, decay: LearningRateSchedule.linearDecay).prepending(step: 0, rate: 3e-5)))
    #expect(fromZero.peakRate == 3e-5 && fromZero.shape == .linear)
    // WSD: held at 3e-5 to step 4,000, then a line to zero at 5,000 (logged every 100 from 100).
    let steps = Swift.stride(from: 100, through: 4_800, by: 100).map(Double.init)
    let line = Self.series(total: 10_000, every: 100, cut: 4_800, decay: LearningRateSchedule.linearDecay)
    let wsd = LossSeries(steps: steps, losses: line.losses, learningRates: steps.map { $0 <= 4_000 ? 3e-5 : 3e-5 * (5_000 - $0) / 1_000 }, origin: line.origin)
    let schedule = try #require(LearningRateSchedule.detect(wsd))
    #expect(schedule.peakRate == 3e-5 && schedule.shape == .wsd, "\(schedule.shape)")
  }
}

extension LossSeries {
  /// The series with a first point at `step` logged at `rate`.
  func prepending(step: Double, rate: Double) -> LossSeries {
    LossSeries(steps: [step] + steps, losses: [losses[0] + 1] + losses, learningRates: [rate] + (learningRates ?? []), origin: origin)
  }
}
