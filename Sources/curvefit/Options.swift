import ArgumentParser
import CurveFit

/// Where the log comes from and which columns hold the step and loss.
struct InputOptions: ParsableArguments {
  @Argument(help: "The log file (CSV, TSV or JSON lines). Omit or use '-' for standard input.")
  var file: String?

  @Option(name: .customLong("step-col"), help: "Column or key holding the step (default: detected).")
  var stepColumn: String?

  @Option(name: .customLong("loss-col"), help: "Column or key holding the loss (default: detected).")
  var lossColumn: String?

  var selection: ColumnSelection {
    ColumnSelection(stepColumn: stepColumn, lossColumn: lossColumn)
  }
}

/// What to fit and what to project.
struct FitOptions: ParsableArguments {
  @Option(name: .customLong("from-step"), help: "First step to fit (default: skip the first 1% as warm-up).")
  var fromStep: Double?

  @Option(name: .customLong("to-step"), help: "Last step to fit (default: the last logged step).")
  var toStep: Double?

  @Option(help: "A loss to reach: report the step at which the fitted curve gets there.")
  var target: Double?

  @Option(help: "Force the form: power (L_min + C·t^-α), pure (C·t^-α) or shifted (L_min + C·(t+t0)^-α). Default: chosen by BIC and backtest.")
  var model: PowerLaw.Form?

  @Option(help: "Fraction of the fit range held out by the backtest (default 0.2; 0 turns it off).")
  var holdout: Double = 0.2

  @Option(help: "Moving-block bootstrap resamples for intervals (default 500; 0 for delta-method intervals only).")
  var bootstrap: Int = 500

  @Option(help: "Seed of the bootstrap (default 0): the same input and seed give the same report.")
  var seed: UInt64 = 0

  func validate() throws {
    if !(holdout >= 0 && holdout < 0.9) { throw ValidationError("--holdout must be in [0, 0.9), got \(holdout)") }
    if bootstrap < 0 { throw ValidationError("--bootstrap must be ≥ 0, got \(bootstrap)") }
    if let fromStep, let toStep, fromStep >= toStep {
      throw ValidationError("--from-step \(fromStep) must be below --to-step \(toStep)")
    }
    for (flag, value) in [("--from-step", fromStep), ("--to-step", toStep), ("--target", target)] {
      if let value, !value.isFinite {
        throw ValidationError("\(flag) must be a finite number, got \(value)")
      }
    }
  }

  var analysisOptions: LossCurveAnalysis.Options {
    var options = LossCurveAnalysis.Options()
    options.range = FitRange(from: fromStep, to: toStep)
    options.target = target
    options.model = model
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

  func write(_ text: String) {
    print(text, terminator: "")
  }
}

extension ReportFormat: ExpressibleByArgument {}
extension PowerLaw.Form: ExpressibleByArgument {}
