import ArgumentParser
import CurveFit

/// Where the log comes from and which columns hold the step and loss.
struct InputOptions: ParsableArguments {
  @Argument(help: "The log: a file (CSV, TSV, JSON lines, trainer_state.json, a console log, a TensorBoard event file, .gz or .zst) or a directory of them. Omit or use '-' for standard input.", completion: .file())
  var file: String?

  @Option(name: .customLong("step-col"), help: "Column or key holding the step (default: detected).")
  var stepColumn: String?

  @Option(name: .customLong("loss-col"), help: "Column or key holding the loss (default: detected).")
  var lossColumn: String?

  @Option(name: .customLong("lr-col"), help: "Column or key holding the learning rate (default: detected).")
  var learningRateColumn: String?

  @Option(help: "Regular expression with named groups (?<step>…) and (?<loss>…), optionally (?<lr>…), (?<grad>…) and (?<total>…) (the planned length), for console logs.")
  var pattern: String?

  @Option(name: .customLong("input-units"), help: "Unit the log's losses are in: nats, bits, ppl, bpb or bpc (default: nats; ppl for a column named as a perplexity, read when the log has no loss).", completion: .list(["nats", "bits", "ppl", "bpb", "bpc"]))
  var inputUnits: String?

  @Option(parsing: .unconditional, help: "Smooth the losses the detectors and the plot see with a debiased EMA of this weight, as TensorBoard does (e.g. 0.9; 0: none). Fits use the raw losses.")
  var smooth: Double = 0

  @Option(name: .customLong("metric"), help: "Metric to analyse: a column, key, TensorBoard tag or W&B metric; repeat or comma-separate for several side by side (default: the training loss).")
  var metrics: [String] = []

  @Option(name: .customLong("run"), help: "Run of a W&B export or a table with a run column (exact name, else a substring); repeat or comma-separate for several (default: every run).")
  var runs: [String] = []

  var request: SeriesRequest {
    let split = { (values: [String]) in
      values.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
    return SeriesRequest(metrics: split(metrics), runs: split(runs))
  }

  var selection: ColumnSelection {
    ColumnSelection(stepColumn: stepColumn, lossColumn: lossColumn, learningRateColumn: learningRateColumn)
  }
}

/// What to fit and what to project.
struct FitOptions: ParsableArguments {
  @Option(name: .customLong("from-step"), parsing: .unconditional, help: "First step to fit (default: the end of a logged or declared warm-up, the logged rate's last step down, or the loss's own step down while the rate held; without rates, the end of the early drop; else skip the first 1%).")
  var fromStep: Double?

  @Option(name: .customLong("to-step"), parsing: .unconditional, help: "Last step to fit (default: the last logged step).")
  var toStep: Double?

  @Option(parsing: .unconditional, help: "A loss to reach: report the step at which the fitted curve gets there.")
  var target: Double?

  @Option(help: "Force the model: power (L_min + C·t^-α), pure (C·t^-α), shifted (L_min + C·(t+t0)^-α) or annealing (L0 + A·S1^-α − C·S2, needs an lr column). Default: chosen by BIC and backtest.")
  var model: ModelName?

  @Option(help: "Schedule for projections of longer runs: constant, cosine, linear, inverse_sqrt or wsd:F (F the cooldown share). Default: the logged schedule, stretched. With --total-steps, the run's own schedule, for a log without learning rates.", completion: .list(["constant", "cosine", "linear", "inverse_sqrt", "wsd:0.2"]))
  var schedule: String?

  @Option(name: .customLong("total-steps"), parsing: .unconditional, help: "The run's planned length (max_steps, num_iterations), in the step column's units: adds a 'planned end' projection and, with --schedule, declares the schedule.")
  var totalSteps: Double?

  @Option(name: .customLong("warmup-steps"), parsing: .unconditional, help: "Warm-up length of the declared schedule (with --schedule and --total-steps; default 0).")
  var warmupSteps: Double?

  @Option(name: .customLong("final-lr-ratio"), parsing: .unconditional, help: "Final rate of the declared schedule as a fraction of the peak (default 0.1 for cosine, 0 for linear and wsd).")
  var finalLRRatio: Double?

  @Option(name: .customLong("at-step"), parsing: .unconditionalSingleValue, help: "Also project the loss at this step (repeatable).")
  var atSteps: [Double] = []

  @Option(name: .customLong("peak-lr"), parsing: .unconditional, help: "Peak learning rate for projections (default: the logged peak).")
  var peakLR: Double?

  @Option(parsing: .unconditional, help: "Momentum λ of the annealing area, per unit of the step column (default 0.999 per step; on a log by tokens, samples, epochs or row numbers, a lag 1/(1 − λ) of 5% of the run).")
  var lambda: Double?

  @Flag(name: .customLong("fit-lambda"), help: "Fit λ of the annealing law instead of fixing it.")
  var fitLambda = false

  @Option(name: .customLong("annealing-prior"), parsing: .unconditional, help: "The annealing law's prior: a full decay of the rate is worth this fraction of the loss (default 0.06, the median of whole real runs; 0 fits the law from the log alone, without either prior).")
  var annealingPrior: Double?

  @Option(name: .customLong("annealing-prior-alpha"), parsing: .unconditional, help: "Centre of the annealing law's prior on its exponent α (default 0.5, the median of whole real runs; 0 fits α from the log alone).")
  var annealingPriorAlpha: Double?

  @Option(parsing: .unconditional, help: "Fraction of the fit range held out by the backtest (0 turns it off).")
  var holdout: Double = 0.2

  @Option(parsing: .unconditional, help: "Moving-block bootstrap resamples for intervals (0 for delta-method intervals only).")
  var bootstrap: Int = 500

  @Option(parsing: .unconditional, help: "Seed of the bootstrap: the same input and seed give the same report.")
  var seed: UInt64 = 0

  func validate() throws {
    if let lambda, !(lambda > 0 && lambda < 1) { throw ValidationError("--lambda must be in (0, 1), got \(lambda)") }
    if let peakLR, !(peakLR > 0 && peakLR.isFinite) { throw ValidationError("--peak-lr must be a positive number, got \(peakLR)") }
    if let schedule {
      do {
        _ = try SchedulePlan(parsing: schedule, following: nil, peakRate: nil)
      } catch {
        throw ValidationError(error.description)
      }
    }
    if let totalSteps, !(totalSteps > 0 && totalSteps.isFinite) {
      throw ValidationError("--total-steps must be a positive number, got \(totalSteps)")
    }
    if let warmupSteps {
      guard warmupSteps >= 0, warmupSteps.isFinite else { throw ValidationError("--warmup-steps must be ≥ 0, got \(warmupSteps)") }
      if let totalSteps, warmupSteps >= totalSteps {
        throw ValidationError("--warmup-steps \(warmupSteps) must be below --total-steps \(totalSteps)")
      }
    }
    if let finalLRRatio, !(finalLRRatio >= 0 && finalLRRatio < 1) {
      throw ValidationError("--final-lr-ratio must be in [0, 1), got \(finalLRRatio)")
    }
    if (warmupSteps != nil || finalLRRatio != nil) && (schedule == nil || totalSteps == nil) {
      throw ValidationError("--warmup-steps and --final-lr-ratio describe a declared schedule: give --schedule and --total-steps too")
    }
    if let annealingPrior, !(annealingPrior >= 0 && annealingPrior < 1) {
      throw ValidationError("--annealing-prior must be in [0, 1), got \(annealingPrior)")
    }
    if let annealingPriorAlpha, !(annealingPriorAlpha >= 0 && annealingPriorAlpha <= 5) {
      throw ValidationError("--annealing-prior-alpha must be in [0, 5], got \(annealingPriorAlpha)")
    }
    for step in atSteps where !(step > 0 && step.isFinite) {
      throw ValidationError("--at-step must be a positive step, got \(step)")
    }
    if atSteps.count > 100 { throw ValidationError("--at-step is limited to 100 steps, got \(atSteps.count)") }
    if !(holdout >= 0 && holdout < 0.9) { throw ValidationError("--holdout must be in [0, 0.9), got \(holdout)") }
    if !(0...Self.maximumResamples).contains(bootstrap) {
      throw ValidationError("--bootstrap must be between 0 and \(Self.maximumResamples), got \(bootstrap)")
    }
    if let fromStep, let toStep, fromStep >= toStep {
      throw ValidationError("--from-step \(fromStep) must be below --to-step \(toStep)")
    }
    for (flag, value) in [("--from-step", fromStep), ("--to-step", toStep), ("--target", target)] {
      if let value, !value.isFinite {
        throw ValidationError("\(flag) must be a finite number, got \(value)")
      }
    }
  }

  /// 100,000 resamples pin a 95% interval's ends to ~0.1% of its width; more only costs time.
  static let maximumResamples = 100_000

  var analysisOptions: LossCurveAnalysis.Options {
    var options = LossCurveAnalysis.Options()
    options.range = FitRange(from: fromStep, to: toStep)
    options.target = target
    switch model {
    case .annealing:
      options.schedule.mode = .forced
    case .power, .pure, .shifted:
      options.model = model.flatMap { PowerLaw.Form(rawValue: $0.rawValue) }
      options.schedule.mode = .off
    case nil:
      break
    }
    options.schedule.plan = schedule
    options.schedule.peakRate = peakLR
    options.totalSteps = totalSteps
    // The same step asked twice is one row.
    var seen = Set<Double>()
    options.atSteps = atSteps.filter { seen.insert($0).inserted }
    if let schedule, let totalSteps, let plan = try? SchedulePlan(parsing: schedule, following: nil, peakRate: nil) {
      options.schedule.declared = DeclaredSchedule(
        shape: plan.shape, cooldownFraction: plan.cooldownFraction, totalSteps: totalSteps,
        warmupSteps: warmupSteps ?? 0, finalRatio: finalLRRatio)
    }
    if let lambda {
      options.schedule.fitter.lambda = lambda
      options.schedule.lagFromRunLength = false
    }
    options.schedule.fitter.fitLambda = fitLambda
    if let annealingPrior {
      options.schedule.fitter.prior?.bonusRatio = annealingPrior
      if annealingPrior == 0 { options.schedule.fitter.prior = nil }
    }
    if let annealingPriorAlpha { options.schedule.fitter.prior?.exponent = annealingPriorAlpha }
    options.holdout = holdout
    options.bootstrapResamples = bootstrap
    options.seed = seed
    return options
  }
}

/// How the report looks.
struct OutputOptions: ParsableArguments {
  @Option(help: "Report format: text, markdown or json.")
  var format: ReportFormat = .text

  @Option(help: "Show losses in nats, bits, ppl, bpb or bpc; fits stay in nats. --target is read in this unit.", completion: .list(["nats", "bits", "ppl", "bpb", "bpc"]))
  var units: String = "nats"

  @Option(name: .customLong("bytes-per-token"), parsing: .unconditional, help: "Bytes per token, for bpb.")
  var bytesPerToken: Double?

  @Option(name: .customLong("chars-per-token"), parsing: .unconditional, help: "Characters per token, for bpc.")
  var charactersPerToken: Double?

  @Option(help: "Also write a self-contained SVG plot of the run to this file.", completion: .file(extensions: ["svg"]))
  var plot: String?

  @Flag(name: .customLong("linear-x"), help: "Plot steps on a linear axis (default: logarithmic).")
  var linearX = false

  func unit(_ name: String) throws -> LossUnit {
    switch LossUnit.named(name, bytesPerToken: bytesPerToken, charactersPerToken: charactersPerToken) {
    case .success(let unit): return unit
    case .failure(let error): throw ValidationError(error.description)
    }
  }

  func write(_ text: String) {
    print(text, terminator: "")
  }
}

extension ReportFormat: ExpressibleByArgument {}
/// `--model`: a power-law form or the annealing law.
enum ModelName: String, ExpressibleByArgument, CaseIterable {
  case power, pure, shifted, annealing
}
