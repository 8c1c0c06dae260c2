import CurveFitTestSupport
import Foundation
import Testing

@testable import CurveFit

/// Losses of exactly zero: reached through ever smaller values (a model that fits its data), a
/// jump to zero that stays (a broken loss), one zero amid positive losses (an artefact).
@Suite struct ZeroLossesTests {
  /// `0.6·e^(−e/8)` with 5% noise, printed with four decimals as Keras does, epochs 0–99: the
  /// print reads 0.0000 from the first epoch where the loss is below 0.00005.
  static func memorising() -> (series: LossSeries, firstZero: Double) {
    var random = SeededRandom(seed: 2)
    let epochs = (0..<100).map(Double.init)
    let losses = epochs.map { epoch in
      ((0.6 * Foundation.exp(-epoch / 8) * (1 + 0.05 * random.gaussian())) * 10_000).rounded() / 10_000
    }
    let firstZero = try! #require(zip(epochs, losses).first { $0.1 == 0 }).0
    return (.synthetic(steps: epochs, losses: losses, source: "keras"), firstZero)
  }

  /// `1 + 2·(t/10)^−0.4` with 2% noise every 10 steps to 2,000; zeros from `zerosFrom` on.
  static func powerLaw(zerosFrom: Double) -> LossSeries {
    var random = SeededRandom(seed: 4)
    let steps = (1...200).map { 10 * Double($0) }
    let losses = steps.map { step in
      step >= zerosFrom ? 0 : 1 + 2 * Foundation.pow(step / 10, -0.4) * (1 + 0.02 * random.gaussian())
    }
    return .synthetic(steps: steps, losses: losses, source: "run")
  }

  @Test func aLossPrintedDownToZeroIsReachedNotDiverged() throws {
    let (series, firstZero) = Self.memorising()
    let analysis = try LossCurveAnalysis.run(series, options: LossCurveAnalysis.Options())
    // Before: "diverging at epoch 75 · roll back before epoch 75".
    #expect(analysis.health.divergence == nil)
    let zeros = try #require(analysis.health.zeroLosses)
    #expect(zeros.kind == .reached)
    #expect(zeros.firstStep == firstZero)
    #expect(zeros.leftOut == 100 - Int(firstZero))
    #expect(zeros.resolution == 0.0001)
    // "Now" is the last positive loss, and nothing is projected below the print.
    #expect(analysis.lastStep == firstZero - 1)
    let reason = try #require(analysis.forecast?.withheld)
    #expect(reason.contains("0 to the log's 4 decimals since step \(Int(firstZero))"), "\(reason)")
    // The report still shows the whole log, with the zeros' note.
    #expect(analysis.series.count == 100)
    #expect(analysis.series.origin.notes.contains { $0.hasPrefix("the loss is 0 to the log's 4 decimals from step") })
  }

  @Test func aJumpToZeroIsABrokenLoss() throws {
    let series = Self.powerLaw(zerosFrom: 1_510)
    let analysis = try LossCurveAnalysis.run(series, options: LossCurveAnalysis.Options())
    let divergence = try #require(analysis.health.divergence)
    #expect(divergence.zeroLoss && divergence.severity == .critical)
    #expect(divergence.startStep == 1_510)
    #expect(analysis.leftOut.divergence == 50)
    // The diverged steps run to the log's end, not to the last step the fits saw.
    #expect(analysis.health.divergenceSteps.contains(2_000) && !analysis.health.divergenceSteps.contains(1_500))
    #expect(analysis.health.zeroLosses?.kind == .collapsed)
    // The fit saw the healthy steps alone: the floor of 1 within 0.1 (it was pulled to 0.36 at
    // 10× by the zeros before).
    let lMin = analysis.fit.model.lMin
    #expect(abs(lMin - 1) < 0.1, "L_min \(lMin)")
    #expect(analysis.forecast?.withheld?.contains("fell to exactly 0 at step 1,510") == true)
    let line = try #require(HealthLines(health: analysis.health).divergenceLine)
    #expect(line.contains("the loss fell to exactly 0 from 1.2"), "\(line)")
  }

  @Test func oneZeroAmidLossesIsLeftOut() throws {
    let withZero = Self.powerLaw(zerosFrom: 2_000)
    let without = withZero.keeping { $0 < withZero.count - 1 }
    let options = LossCurveAnalysis.Options()
    let analysis = try LossCurveAnalysis.run(withZero, options: options)
    let reference = try LossCurveAnalysis.run(without, options: options)
    #expect(analysis.health.divergence == nil)
    #expect(analysis.health.zeroLosses?.kind == .isolated)
    #expect(analysis.health.zeroLosses?.points == 1)
    // The analysis is the one of the log without its zero, to the last digit.
    #expect(analysis.current.value == reference.current.value)
    #expect(analysis.projections.map(\.loss.value) == reference.projections.map(\.loss.value))
  }

  @Test func aLogOfZerosIsNotHealthy() throws {
    let series = LossSeries.synthetic(steps: (1...6).map(Double.init), losses: Array(repeating: 0, count: 6), source: "aux")
    let error = #expect(throws: FitError.self) { try LossCurveAnalysis.run(series, options: LossCurveAnalysis.Options()) }
    let fitError = try #require(error)
    let run = try #require(UnfittedRun.check(series, options: LossCurveAnalysis.Options(), error: fitError))
    // Before: "healthy", a fit with L_min 0, C 0 and a "now" of 0.
    #expect(HealthVerdict(run.health).sentence == "no loss above 0 (every finite loss is exactly 0)")
    #expect(run.reason == "every finite loss is exactly 0: there is no curve to fit")
  }

  @Test func aWithheldTargetSaysWhereTheLogReachedIt() throws {
    var options = LossCurveAnalysis.Options()
    options.target = 0.01
    let (memorising, _) = Self.memorising()
    let reached = try LossCurveAnalysis.run(memorising, options: options)
    // 0.6·e^(−e/8) = 0.01 at e = 8·ln 60 = 32.8: the median of five crosses at epoch 33, ±1 for the noise.
    let logged = try #require(reached.forecast?.targetLogged)
    #expect(abs(logged - 33) <= 1, "\(logged)")
    // 1 + 2·(t/10)^−0.4 = 1.3 at t = 1,147; the log's points are 10 steps apart.
    options.target = 1.3
    let broken = try LossCurveAnalysis.run(Self.powerLaw(zerosFrom: 1_510), options: options)
    let crossing = try #require(broken.forecast?.targetLogged)
    #expect(abs(crossing - 1_147) <= 40, "\(crossing)")
    // Zeros of a broken loss reach nothing.
    options.target = 0.5
    #expect(try LossCurveAnalysis.run(Self.powerLaw(zerosFrom: 1_510), options: options).forecast?.targetLogged == nil)
  }

  @Test func aStrayZeroBeforeATailIsLeftOutToo() throws {
    var losses = Self.powerLaw(zerosFrom: 1_510).losses
    losses[40] = 0
    let series = LossSeries.synthetic(steps: Self.powerLaw(zerosFrom: 1_510).steps, losses: losses, source: "run")
    let (zeros, analysed) = try #require(ZeroLosses.find(series))
    #expect(zeros.kind == .collapsed && zeros.points == 51)
    #expect(!analysed.losses.contains(0) && analysed.count == 150 - 1)
  }

  @Test func aLogWithoutZerosIsUntouched() {
    #expect(ZeroLosses.find(Self.powerLaw(zerosFrom: .infinity)) == nil)
  }

  @Test func jsonNamesTheZeros() throws {
    let analysis = try LossCurveAnalysis.run(Self.powerLaw(zerosFrom: 1_510), options: LossCurveAnalysis.Options())
    let members = JSONRenderer().health(analysis)
    let health = try #require(members.first { $0.0 == "health" }?.1)
    guard case .object(let fields) = health, case .object(let zeros)? = fields.first(where: { $0.0 == "zero_losses" })?.1
    else { Issue.record("no zero_losses object"); return }
    guard case .string(let kind)? = zeros.first(where: { $0.0 == "kind" })?.1,
      case .number(let first)? = zeros.first(where: { $0.0 == "first_step" })?.1
    else { Issue.record("zero_losses without kind or first_step"); return }
    #expect(kind == "collapsed" && first == 1_510)
  }
}
