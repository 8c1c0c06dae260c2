import CurveFitTestSupport
import Foundation
import Testing

@testable import CurveFit

@Suite("YOLO's mosaic close")
struct MosaicCloseTests {
  static let law = PowerLaw(lMin: 0.3, c: 2, alpha: 0.5)
  static let columns = ["epoch", "train/box_loss", "train/cls_loss", "train/dfl_loss", "val/box_loss", "lr/pg0"]

  /// The first `last` of 100 epochs of a YOLOv8 `results.csv` column: a power law in 1% noise at
  /// a linear decay of the rate after a 3-epoch warm-up, ×0.6 from epoch 91 (`close_mosaic`).
  static func series(to last: Int, column: String = "train/box_loss", columns: [String] = columns) -> LossSeries {
    var random = SeededRandom(seed: 4)
    let steps = (1...last).map(Double.init)
    let losses = steps.map { law($0) * ($0 >= 91 ? 0.6 : 1) * Foundation.exp(0.01 * random.gaussian()) }
    let rates = steps.map { $0 <= 3 ? 1e-3 * $0 / 3 : 1e-3 * (1 - 0.99 * ($0 - 3) / 97) }
    var origin = SeriesOrigin(source: "results.csv", format: "csv", stepColumn: "epoch", lossColumn: column, columns: columns)
    origin.learningRateColumn = "lr/pg0"
    return LossSeries(steps: steps, losses: losses, learningRates: rates, origin: origin)
  }

  static func analysis(_ series: LossSeries) throws -> LossCurveAnalysis {
    var options = LossCurveAnalysis.Options()
    options.bootstrapResamples = 100
    options.totalSteps = 100
    return try LossCurveAnalysis.run(series, options: options)
  }

  @Test("cut at half, a training loss's bands from the close reach half as low again and hold the end")
  func bandsOpenBelow() throws {
    let train = try Self.analysis(Self.series(to: 50))
    let close = try #require(train.forecast?.mosaicClose)
    #expect(close.epoch == 88 && close.plannedEnd == 100)
    // The same losses named as a validation column: no close, the curve's own band.
    let val = try Self.analysis(Self.series(to: 50, column: "val/box_loss"))
    #expect(val.forecast?.mosaicClose == nil)
    let opened = try #require(train.forecast?.plannedEnd?.loss)
    let plain = try #require(val.forecast?.plannedEnd?.loss)
    #expect(opened.value == plain.value)
    let (low, plainLow) = (try #require(opened.ci95?.lowerBound), try #require(plain.ci95?.lowerBound))
    #expect(abs(low - 0.5 * plainLow) < 1e-12 * plainLow)
    #expect(opened.ci95?.upperBound == plain.ci95?.upperBound)
    // The run's end, ×0.6 below the curve, is inside the opened band and outside the plain one.
    let truth = 0.6 * Self.law(100)
    #expect(opened.ci95?.contains(truth) == true, "\(String(describing: opened.ci95)) misses \(truth)")
    #expect(plain.ci95?.contains(truth) == false)
    let text = Report(analysis: train).rendered(as: .text)
    #expect(text.contains("close_mosaic"))
    #expect(Report(analysis: train).rendered(as: .json).contains(#""mosaic_close": {"#))
  }

  @Test("YOLOv5 (no dfl loss), a log past the close, and a log without a planned end are left alone")
  func leftAlone() throws {
    let v5 = ["epoch", "train/box_loss", "train/obj_loss", "train/cls_loss", "lr/pg0"]
    #expect(try Self.analysis(Self.series(to: 50, columns: v5)).forecast?.mosaicClose == nil)
    #expect(try Self.analysis(Self.series(to: 89)).forecast?.mosaicClose == nil)
    let logged = Self.series(to: 50)
    var origin = logged.origin
    origin.learningRateColumn = nil
    var options = LossCurveAnalysis.Options()
    options.bootstrapResamples = 0
    let unplanned = LossSeries(steps: logged.steps, losses: logged.losses, origin: origin)
    #expect(try LossCurveAnalysis.run(unplanned, options: options).forecast?.mosaicClose == nil)
  }
}
