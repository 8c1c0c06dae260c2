import CurveFitTestSupport
import Foundation
import Testing

@testable import CurveFit

/// Several series in one input: W&B exports, long tables with a run column, TensorBoard tags,
/// `--metric`, directories; and compressed inputs.
@Suite struct MultiSeriesTests {
  func fixture(_ name: String) throws -> String {
    try #require(Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: nil)).path
  }

  static let tensorboard = "tensorboard-generated/events.out.tfevents.1700000000.curvefit-fixture.0"

  /// SOURCE.md of the export lists every run with its count of non-empty points.
  @Test func wandbExportGivesOneSeriesPerRun() throws {
    let all = try LogReader().readAll(path: try fixture("wandb-export/wandb_export.csv"))
    let counts = Dictionary(uniqueKeysWithValues: all.map { ($0.name, $0.series.count) })
    #expect(all.count == 8)
    #expect(counts["gpt2"] == 386)
    #expect(counts["gpt2_last_char_token_to_char1729587337.8266432"] == 166)
    #expect(counts["gpt2_augmented_char_to_token1729630560.5729918"] == 57)
    #expect(counts["gpt2_last_char_to_char1729642919.4054031"] == 51)
    let gpt2 = try #require(all.first { $0.name == "gpt2" }).series
    #expect(gpt2.origin.lossColumn == "gpt2 - train/loss")
    #expect(gpt2.steps.first == 0 && gpt2.steps.last == 385)
    #expect(gpt2.losses.last == 3.2849113941192627)
    #expect(gpt2.origin.notes.contains { $0.contains("sampled") })
    // --run: exact name first, else a substring.
    let picked = try LogReader().readAll(path: try fixture("wandb-export/wandb_export.csv"), request: SeriesRequest(runs: ["gpt2"]))
    #expect(picked.map(\.name) == ["gpt2"])
    let family = try LogReader().readAll(path: try fixture("wandb-export/wandb_export.csv"), request: SeriesRequest(runs: ["gpt2_char_to_token"]))
    #expect(family.count == 3)
  }

  @Test func longTableWithRunColumn() throws {
    var csv = "run_name,tokens,loss,lr\n"
    let truths = [("small", PowerLaw(lMin: 2.5, c: 40, alpha: 0.3)), ("large", PowerLaw(lMin: 2.1, c: 30, alpha: 0.3))]
    for (name, truth) in truths {
      for k in 1...400 { csv += "\(name),\(k * 1_000_000),\(truth(Double(k) * 1e6)),0.001\n" }
    }
    let all = try LogReader().readAll(bytes: Array(csv.utf8), source: "long.csv")
    #expect(all.map(\.name) == ["small", "large"])
    for (named, (_, truth)) in zip(all, truths) {
      #expect(named.series.count == 400)
      #expect(named.series.origin.stepColumn == "tokens")
      let fit = try PowerLawFitter().fit(named.series)
      #expect(relativeError(fit.model.lMin, truth.lMin) < 1e-3)
    }
  }

  @Test func tensorboardScalarsBothEncodings() throws {
    let path = try fixture(Self.tensorboard)
    let train = try LogReader().read(path: path)
    #expect(train.origin.format == "tensorboard")
    #expect(train.origin.lossColumn == "train/loss")
    #expect(train.count == 300)
    #expect(train.steps.first == 10 && train.steps.last == 3_000)
    // simple_value is a float32: the truth within float precision.
    let truth = { (t: Double) in (2 + 8 * Foundation.pow(t, -0.35)) * (1 + 0.005 * Foundation.sin(t / 7)) }
    for (step, loss) in zip(train.steps, train.losses) { #expect(abs(loss - truth(step)) < 1e-6 * truth(step)) }
    // The learning-rate and gradient-norm tags ride along, aligned by step.
    #expect(train.origin.learningRateColumn == "lr")
    #expect(abs((train.learningRates?[9] ?? 0) - 6e-4) < 1e-9)
    #expect(train.gradNorms != nil)
    // eval/loss is written as tensors in three encodings; the image summary is skipped.
    let both = try LogReader().readAll(path: path, request: SeriesRequest(metrics: ["train/loss", "eval/loss"]))
    let eval = try #require(both.last).series
    #expect(eval.count == 30)
    for (step, loss) in zip(eval.steps, eval.losses) { #expect(abs(loss - (truth(step) + 0.05)) < 1e-5) }
    #expect(!eval.origin.columns.contains("samples"))
    let fit = try PowerLawFitter().fit(train)
    #expect(relativeError(fit.model.alpha, 0.35) < 0.02)
  }

  @Test func realTensorboardFile() throws {
    // detectron2 (Apache-2.0, SOURCE.md): 21 scalar tags, total_loss at 15 steps from 19 to 299.
    let series = try LogReader().read(path: try fixture("tensorboard-detectron2/events.out.tfevents.1737378888.LAPTOP-1BH8GF02.2695.0"))
    #expect(series.origin.lossColumn == "total_loss")
    #expect(series.origin.columns.count == 21)
    #expect(series.count == 15)
    #expect(series.steps.first == 19 && series.steps.last == 299)
    #expect(abs(series.losses[0] - 2.152726411819458) < 1e-6)
  }

  @Test func corruptedEventFilesNameTheByteOffset() throws {
    let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: try fixture(Self.tensorboard))))
    // The first record (file_version) is 24 bytes of data: the second starts at 12 + 24 + 4 = 40.
    let firstLength = Int(bytes[0]) | Int(bytes[1]) << 8
    let second = 12 + firstLength + 4
    var badData = bytes
    badData[second + 20] ^= 0xFF
    #expect(throws: IngestError.corruptRecord(
      source: "bad.tfevents", offset: second, reason: "the data's CRC does not match (corrupted record)")) {
      _ = try LogReader().read(bytes: badData, source: "bad.tfevents")
    }
    var badHeader = bytes
    badHeader[second + 1] ^= 0x01
    #expect(throws: IngestError.corruptRecord(
      source: "bad.tfevents", offset: second, reason: "the length's CRC does not match (corrupted header)")) {
      _ = try LogReader().read(bytes: badHeader, source: "bad.tfevents")
    }
    let truncated = Array(bytes.prefix(second + 30))
    do {
      _ = try LogReader().read(bytes: truncated, source: "cut.tfevents")
      Issue.record("a truncated file must not read")
    } catch {
      #expect(error.description.hasPrefix("cut.tfevents: byte offset \(second): TensorBoard record: truncated"))
    }
  }

  @Test func gzipAndDirectories() throws {
    let log = SyntheticLog(truth: PowerLaw(lMin: 2, c: 8, alpha: 0.35), count: 2_000, noise: 0.002, seed: 41)
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("curvefit-dir-\(getpid())")
    try? FileManager.default.removeItem(at: directory)
    try FileManager.default.createDirectory(at: directory.appendingPathComponent("run-b"), withIntermediateDirectories: true)
    try Data(log.csv.utf8).write(to: directory.appendingPathComponent("run-a.csv"))
    let gzip = Process()
    gzip.executableURL = URL(fileURLWithPath: "/bin/gzip")
    gzip.arguments = ["-c", directory.appendingPathComponent("run-a.csv").path]
    let pipe = Pipe()
    gzip.standardOutput = pipe
    try gzip.run()
    let compressed = pipe.fileHandleForReading.readDataToEndOfFile()
    gzip.waitUntilExit()
    try compressed.write(to: directory.appendingPathComponent("run-b/train.csv.gz"))
    try Data("{\"not\": \"a log\"}".utf8).write(to: directory.appendingPathComponent("config.json"))

    let fromGzip = try LogReader().read(path: directory.appendingPathComponent("run-b/train.csv.gz").path)
    #expect(fromGzip.losses == log.series.losses)
    #expect(fromGzip.origin.format == "csv, gzip")
    let all = try LogReader().readAll(path: directory.path)
    #expect(all.map(\.name) == ["run-a.csv", "run-b/train.csv.gz"])
    // A cut gzip stream is an error, not a short log.
    #expect(throws: IngestError.self) {
      _ = try LogReader().read(bytes: Array(compressed.prefix(compressed.count / 2)), source: "cut.gz")
    }
  }

  @Test func smoothingIsTensorBoardsDebiasedEMA() {
    let series = LossSeries.synthetic(steps: [1, 2, 3, 4], losses: [4, 2, .nan, 1], source: "ema")
    let smoothed = series.smoothed(weight: 0.5).losses
    // By hand: m = 2, d = 0.5 → 4; m = 1 + 1 = 2, d = 0.75 → 8/3; NaN passes; m = 1 + 0.5 = 1.5,
    // d = 0.875 → 12/7.
    #expect(smoothed[0] == 4)
    #expect(abs(smoothed[1] - 8.0 / 3) < 1e-12)
    #expect(smoothed[2].isNaN)
    #expect(abs(smoothed[3] - 12.0 / 7) < 1e-12)
  }
}
