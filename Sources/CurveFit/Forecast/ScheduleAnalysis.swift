import Foundation
import LeastSquares

/// The annealing law's side of the forecast: the run's schedule, the schedule projections
/// assume, the annealing law fitted to it with its backtest (`run`, by `AnnealingLawFitter` in
/// Fit/), and whether that law or the power law makes the projections and what it projects
/// (`decide`). `Forecast.make` takes its numbers when it projects.
public struct ScheduleAnalysis: Sendable {
  public var schedule: LearningRateSchedule
  /// The schedule projections assume (the logged one stretched, or `--schedule`).
  public var plan: SchedulePlan
  public var fit: AnnealingFit?
  /// Why there is no annealing fit, when there is none.
  public var fitError: String?
  /// `--schedule`/`--peak-lr` were given but cannot act: the logged rate does not decay.
  public var planIgnored = false
  /// The loss does not answer its logged rate (`RateResponse`): the power law projects, and no
  /// decay to come is counted below its bands.
  public var lossIgnoresRate = false
  public var backtest: Backtest?
  /// True when the annealing law makes the report's projections.
  public var chosen: Bool
  /// True when `--model annealing` asked for it.
  public var forced: Bool
  /// One sentence on the choice.
  public var reason: String
  /// The fitted loss at the last step, on the logged schedule.
  public var current: Estimate?
  /// The final loss of runs of 2×, 5× and 10× the steps under the plan.
  public var projections: [Projection] = []
  /// The loss at those steps if training went on at the last logged rate, with no more decay.
  public var constantRate: [Projection] = []
  /// `C·S2` at the last step: how much of the loss drop so far the decay of the rate bought.
  public var bonus: Estimate?
  public var doubling: DoublingEffect?
  public var target: TargetOutcome?
  /// How much of the annealing term the prior supplied, when it was in the fit.
  public var prior: AnnealingPrior.Use?
  /// The run length (in x-axis units) the momentum's lag was taken as a share of, on a log by
  /// tokens, samples, epochs or rows; nil when `λ` is per step.
  public var lagRunLength: Double?
  /// Bootstrap refits that succeeded.
  public var bootstrapUsed = 0
  /// The refitted laws of the bootstrap, for intervals at any run length.
  var bootstrapModels: [AnnealingLaw] = []
  /// When the fit set the prior on `C` aside: the fit that keeps it and its bootstrap refits,
  /// whose projections the bands also hold (the other reading of the log).
  var priorKept: (fit: AnnealingFit, models: [AnnealingLaw])?
  /// Bootstrap intervals of the law's parameters, by name.
  public var parameterIntervals: [String: (ci80: ClosedRange<Double>, ci95: ClosedRange<Double>)] = [:]

  /// How `--model` treats the annealing law.
  public enum Mode: Sendable, Equatable {
    /// Fitted when the rate decays; chosen when it backtests better than the power law.
    case auto
    /// `--model annealing`.
    case forced
    /// `--model power|pure|shifted`: fitted and shown, never chosen.
    case off
  }

  /// Settings from the command line.
  public struct Options: Sendable {
    public var mode = Mode.auto
    public var fitter = AnnealingLawFitter()
    /// `--schedule`: the shape projections assume instead of the logged one.
    public var plan: String?
    /// `--peak-lr`: the peak rate projections assume.
    public var peakRate: Double?
    /// `--schedule` with `--total-steps`: the run's own schedule, for a log without rates.
    public var declared: DeclaredSchedule?
    /// False when `--lambda` sets the momentum: otherwise a log by tokens, samples, epochs or rows gets a lag of
    /// `AnnealingLaw.lagShare` of its run (`LossCurveAnalysis.run` sets `fitter.lambda`).
    public var lagFromRunLength = true
    /// The run length `fitter.lambda` was set from, when it was.
    public var lagRunLength: Double?

    public init() {}
  }

  /// Everything the analysis already decided that this step builds on.
  struct Context {
    var series: LossSeries
    var range: ClosedRange<Double>
    var excluded: StepRanges
    var heldOut: Backtest.HeldOut?
    var powerBacktest: Backtest?
    /// The power law that projects when the annealing law does not, and the steps it is fitted on.
    var power: (model: PowerLaw, range: ClosedRange<Double>)?
    var lastStep: Double
    var target: Double?
    var resamples: Int
    var seed: UInt64
    var refitSolver: LevenbergMarquardt
    /// `LearningRateSchedule.detect(series)`, run by the caller alongside its own work.
    var schedule: LearningRateSchedule?
  }

  /// `nil` when the log has no learning rates (and the annealing law was not forced).
  ///
  /// - Throws: `FitError.noAnnealing` when `--model annealing` cannot be honoured.
  static func run(_ context: Context, options: Options) throws(FitError) -> ScheduleAnalysis? {
    let series = context.series
    guard let schedule = context.schedule else {
      guard options.mode != .forced else {
        throw .noAnnealing(
          "\(series.origin.source): --model annealing needs a learning-rate column, and none of "
            + "\(series.origin.columns.map { "\"\($0)\"" }.joined(separator: ", ")) holds at least 5 rates; "
            + "name one with --lr-col, or declare the schedule the run follows (--schedule cosine --total-steps N)")
      }
      return nil
    }
    var plan = SchedulePlan(following: schedule)
    if schedule.declared {
      if let peak = options.peakRate { plan.peakScale = peak }
    } else if let text = options.plan {
      do {
        plan = try SchedulePlan(parsing: text, following: schedule, peakRate: options.peakRate)
      } catch {
        throw .noAnnealing(error.description)
      }
    } else if let peak = options.peakRate {
      plan.peakScale = peak / schedule.peakRate
    } else if schedule.shape == .other, flatSinceDrop(context) != nil {
      plan.holdsLastRate = true
    }
    var analysis = ScheduleAnalysis(
      schedule: schedule, plan: plan, chosen: false, forced: options.mode == .forced,
      reason: "the learning rate does not decay: the power law's projections assume it stays constant")
    analysis.lagRunLength = options.lagRunLength
    guard schedule.decayKnown || options.mode == .forced else {
      // A rate declared to stay constant is no plan for the annealing law but not ignored: the
      // forecast then knows no decay is to come (`Forecast.Inputs.declaredConstant`).
      let staysConstant = schedule.declared && schedule.shape == .constant
      if (options.plan != nil && !staysConstant) || options.peakRate != nil {
        analysis.reason += "; --schedule and --peak-lr need a log whose rate decays, to measure the annealing term from"
        analysis.planIgnored = true
      }
      return analysis
    }

    let fitter = options.fitter
    // The backtest refits on the earlier steps, independently of the full fit: on a long log
    // the two run on both cores.
    let heldOutFit = Concurrent(points: series.count) { [context] in
      backtest(context, fitter: fitter, curve: schedule.observed)
    }
    do {
      analysis.fit = try fitter.fit(series, curve: schedule.observed, bounds: context.range, excluding: context.excluded)
    } catch {
      guard options.mode != .forced else { throw error }
      analysis.fitError = error.description
      analysis.reason = "power law kept: the annealing law could not be fitted (\(error.description))"
      return analysis
    }
    guard let fit = analysis.fit else { return analysis }
    analysis.prior = fitter.prior?.use(in: fit)
    analysis.backtest = heldOutFit.wait()
    return analysis
  }

  // MARK: - Backtest

  /// Fits on the steps before the held-out split and predicts the held-out chunks with the
  /// logged schedule (known in advance, as it is when a run is planned).
  private static func backtest(_ context: Context, fitter: AnnealingLawFitter, curve: LearningRateCurve) -> Backtest? {
    guard let heldOut = context.heldOut else { return nil }
    let training = context.range.lowerBound...max(context.range.lowerBound, heldOut.split)
    guard let fit = try? fitter.fit(context.series, curve: curve, bounds: training, excluding: context.excluded)
    else { return nil }
    let areas = curve.areas(at: heldOut.meanT, lambda: fit.model.lambda)
    var errors: [Double] = []
    var covered = 0
    for chunk in heldOut.meanT.indices where heldOut.counts[chunk] > 0 {
      let prediction = fit.estimate(s1: areas.s1[chunk], s2: areas.s2[chunk])
      let observed = heldOut.meanY[chunk]
      errors.append(abs(prediction.value - observed) / abs(observed))
      let curveHalf = prediction.ci95.map { ($0.upperBound - $0.lowerBound) / 2 } ?? 0
      let noise = Estimate.z95 * fit.rmse / heldOut.counts[chunk].squareRoot()
      if abs(prediction.value - observed) <= (curveHalf * curveHalf + noise * noise).squareRoot() { covered += 1 }
    }
    guard !errors.isEmpty else { return nil }
    return Backtest(
      holdoutFraction: heldOut.fraction, splitStep: heldOut.split,
      meanRelativeError: errors.reduce(0, +) / Double(errors.count), maxRelativeError: errors.max() ?? 0,
      coverage95: Double(covered) / Double(errors.count), heldOutPoints: heldOut.points, chunks: errors.count,
      chunkNoise: heldOut.chunkNoise)
  }
}
