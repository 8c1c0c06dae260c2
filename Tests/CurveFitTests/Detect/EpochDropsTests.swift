import CurveFitTestSupport
import Foundation
import Testing

@testable import CurveFit

/// A loss that steps down at each epoch boundary (a model memorising its data) is told from one
/// that falls smoothly across epochs.
@Suite struct EpochDropsTests {
  /// `1.2 + 0.8·(t/10)^−0.3`, times `drop` per finished epoch of 1,000 steps, logged every 10
  /// steps for `epochs` epochs with multiplicative noise.
  static func run(epochs: Int, drop: Double, noise: Double, seed: UInt64, every: Double = 10) -> LossSeries {
    var random = SeededRandom(seed: seed)
    let steps = Array(stride(from: every, through: 1_000 * Double(epochs), by: every))
    let losses = steps.map { Self.truth($0, drop: drop) * (1 + noise * random.gaussian()) }
    var series = LossSeries.synthetic(steps: steps, losses: losses, source: "sft")
    series.origin.stepsPerEpoch = 1_000
    return series
  }

  static func truth(_ step: Double, drop: Double) -> Double {
    (1.2 + 0.8 * Foundation.pow(step / 10, -0.3)) * Foundation.pow(drop, (step / 1_000).rounded(.down))
  }

  @Test func aStaircaseIsMemorising() throws {
    let series = Self.run(epochs: 3, drop: 0.85, noise: 0.03, seed: 1)
    let drops = try #require(EpochDrops.find(series))
    #expect(drops.boundaries == 2)
    // The windows' centres are a third of an epoch apart: the smooth fall across them is in the ratio too.
    let expected = Self.truth(2_000 + 500.0 / 3, drop: 0.85) / Self.truth(2_000 - 500.0 / 3, drop: 0.85)
    #expect(abs(drops.boundaryRatio - expected) < 0.03, "\(drops.boundaryRatio) vs \(expected)")
    #expect(abs(drops.withinRatio - Self.truth(2_833, drop: 1) / Self.truth(2_167, drop: 1)) < 0.03, "\(drops.withinRatio)")
  }

  @Test func aSmoothFallIsNot() {
    // 20 seeds of a power law over five epochs in 3% and 10% noise: no boundary stands out.
    for seed in 1...20 {
      for noise in [0.03, 0.10] {
        let series = Self.run(epochs: 5, drop: 1, noise: noise, seed: UInt64(seed))
        #expect(EpochDrops.find(series) == nil, "seed \(seed), noise \(noise)")
      }
    }
  }

  @Test func aSmallDropInLargeNoiseIsNot() {
    // ×0.97 per boundary is under the 5% the detector asks for.
    #expect(EpochDrops.find(Self.run(epochs: 4, drop: 0.97, noise: 0.02, seed: 3)) == nil)
  }

  @Test func tooFewPointsPerEpochAreNotJudged() {
    // Three points an epoch cannot tell a boundary from the trend.
    #expect(EpochDrops.find(Self.run(epochs: 6, drop: 0.7, noise: 0.01, seed: 4, every: 334)) == nil)
  }

  @Test func aLogCountedInEpochsHasOneEpochPerUnit() throws {
    // The Trainer's console dicts give the epoch as the axis: 1,000 steps become 1.0 epoch.
    let steps = Self.run(epochs: 3, drop: 0.8, noise: 0.02, seed: 5)
    let origin = SeriesOrigin(source: "stdout", format: "text", stepColumn: "epoch", lossColumn: "loss", columns: ["loss", "epoch"])
    let series = LossSeries(steps: steps.steps.map { $0 / 1_000 }, losses: steps.losses, origin: origin)
    let drops = try #require(EpochDrops.find(series))
    #expect(drops.stepsPerEpoch == 1 && drops.boundaries == 2)
    #expect(!drops.line(axis: .epochs).contains("an epoch is"))
  }

  /// The Whisper fine-tune's trainer state (a fixture, Apache-2.0): a staircase by eye, ×0.6–0.8
  /// at each boundary to epoch 11 (0.2237 → 0.1888 at the first), flat within; below 0.002 nats
  /// the print holds too few values to judge. Its flat 0.0001–0.0002 stretch is no plateau either.
  @Test func theWhisperFineTuneMemorises() throws {
    let url = try #require(Bundle.module.url(forResource: "Fixtures/hf-trainer-whisper-ja/trainer_state.json", withExtension: nil))
    let series = try LogReader().read(path: url.path)
    let analysis = try LossCurveAnalysis.run(series, options: LossCurveAnalysis.Options())
    let drops = try #require(analysis.health.epochDrops)
    #expect(drops.boundaries >= 8 && drops.boundaries <= 12, "\(drops.boundaries)")
    #expect(drops.boundaryRatio > 0.6 && drops.boundaryRatio < 0.8, "\(drops.boundaryRatio)")
    #expect(drops.withinRatio > 0.9, "\(drops.withinRatio)")
    // Before: "plateau at steps 3,050–4,525", against a trend that expected more fall than the loss held.
    #expect(analysis.health.plateaus.isEmpty, "\(analysis.health.plateaus)")
  }

  @Test func wholeEpochsGiveTheStepsBetweenTheirStarts() {
    // Lightning's metrics.csv: epoch 0 from step 49, 1 from 549, 2 from 1,049 (every 50 steps).
    let steps = stride(from: 49.0, to: 1_500, by: 50).map { $0 }
    let epochs = steps.map { ($0 / 500).rounded(.down) }
    #expect(EpochLength.stepsPerEpoch(steps: steps, epochs: epochs) == 500)
    // One epoch alone says nothing of its length.
    #expect(EpochLength.stepsPerEpoch(steps: Array(steps.prefix(9)), epochs: Array(epochs.prefix(9))) == nil)
  }

  @Test func aCSVsEpochColumnIsReadForItsLength() throws {
    var text = "epoch,step,train_loss\n"
    for step in stride(from: 49, to: 3_000, by: 50) {
      text += "\(step / 500),\(step),\(Self.truth(2 * Double(step), drop: 0.8))\n"  // epochs of 500 steps
    }
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("epochs-\(UUID().uuidString).csv")
    try text.write(to: url, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(at: url) }
    let reader = LogReader()
    let series = try reader.read(path: url.path)
    #expect(series.origin.stepsPerEpoch == nil)
    let read = EpochLength.reading(beside: series, path: url.path, reader: reader)
    #expect(read.origin.stepsPerEpoch == 500)
    #expect(EpochDrops.find(read) != nil)
  }

  @Test func aTrainerStateGivesItsEpochLength() throws {
    let json = """
      {"log_history": [{"epoch": 0.19, "loss": 0.30, "step": 25}, {"epoch": 0.38, "loss": 0.29, "step": 50},
      {"epoch": 38.17, "loss": 0.0002, "step": 5000}], "max_steps": 5000}
      """
    let series = try LogReader().read(bytes: Array(json.utf8), source: "trainer_state.json")
    // The last record's ratio, least rounded: 5000 / 38.17.
    #expect(abs((series.origin.stepsPerEpoch ?? 0) - 5_000 / 38.17) < 1e-9)
  }
}
