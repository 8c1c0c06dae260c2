import ArgumentParser
import CurveFit
import Foundation

extension CurveFitCommand {
  struct Scaling: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Fit L(N,D) = E + A/N^α + B/D^β across finished runs and project the next model.",
      discussion: """
        The table is CSV, TSV or JSON lines, one run per row: parameters N, training tokens D and final loss (or training compute C, from which D = C/(6N)). Values like 1.3e9 parse.

        Examples (from the repository root):
          curvefit scaling examples/synthetic/scaling_250.csv
          curvefit scaling examples/synthetic/scaling_250.csv --compute 1e24
          curvefit scaling examples/synthetic/scaling_250.csv --format json
          curvefit scaling examples/porian-isoflop/isoflop.csv --where config_row=4
          curvefit scaling examples/porian-isoflop/isoflop.csv --group config_row

        An isoFLOP sweep (several model sizes at each of three or more compute budgets) also gets each budget's compute-optimal size N*(C) and the power laws N* ∝ C^a, D* ∝ C^b, beside the law's own a = β/(α+β). Text columns that split the runs (a config, a dataset, an eval set) draw a warning: fit them apart with --group or keep one with --where.
        """
    )

    @Argument(help: "The runs table. Omit or use '-' for standard input.", completion: .file())
    var file: String?

    @Option(name: .customLong("n-col"), help: "Column with parameters N (default: N, params, model_size, …).")
    var nColumn: String?
    @Option(name: .customLong("d-col"), help: "Column with training tokens D (default: D, tokens, data, …).")
    var dColumn: String?
    @Option(name: .customLong("loss-col"), help: "Column with the final loss (default: loss, final_loss, eval_loss).")
    var lossColumn: String?
    @Option(name: .customLong("compute-col"), help: "Column with training FLOPs, used for D = C/(6N) when there is no D.")
    var computeColumn: String?

    @Option(help: "Law: auto, nd = E + A/N^α + B/D^β, d = E + B/D^β, n = E + A/N^α.", completion: .list(["auto", "nd", "d", "n"]))
    var law: String = "auto"
    @Option(help: "Fit loss on log residuals: huber or l2.", completion: .list(["huber", "l2"]))
    var loss: String = "huber"
    @Option(parsing: .unconditional, help: "Huber δ.")
    var delta: Double = 1e-3
    @Option(parsing: .unconditional, help: "Bootstrap resamples over runs for intervals (0 for none).")
    var bootstrap: Int = 1_000
    @Option(parsing: .unconditional, help: "Seed of the bootstrap.")
    var seed: UInt64 = 0
    @Option(help: "N,D at which to report the effect of doubling (default: the largest run).")
    var at: String?
    @Option(parsing: .singleValue, help: "Predict the loss at N,D (repeatable).")
    var predict: [String] = []
    @Option(parsing: .unconditionalSingleValue, help: "Compute budget in FLOPs for the compute-optimal allocation (repeatable).")
    var compute: [Double] = []

    @Flag(inversion: .prefixedNo, help: "IsoFLOP profiles: N*(C) per compute budget and the power laws N* ∝ C^a, D* ∝ C^b (default: when the table has several model sizes at each of three or more budgets).")
    var isoflop: Bool?
    @Option(name: .customLong("where"), parsing: .singleValue, help: ArgumentHelp("Keep only the runs whose column COL reads VALUE (repeatable; all must hold).", valueName: "COL=VALUE"))
    var conditions: [String] = []
    @Option(parsing: .singleValue, help: ArgumentHelp("Fit each value (or combination, when repeated) of column COL separately and compare them in one table.", valueName: "COL"))
    var group: [String] = []

    @Option(help: "Report format: text, markdown or json.")
    var format: ReportFormat = .text

    @Option(help: "Also write an SVG of the runs, the law along lines of constant D and the compute-optimal frontier.", completion: .file(extensions: ["svg"]))
    var plot: String?

    func validate() throws {
      guard ["auto", "nd", "d", "n"].contains(law) else {
        throw ValidationError("--law must be auto, nd, d or n, got '\(law)'")
      }
      guard ["huber", "l2"].contains(loss) else { throw ValidationError("--loss must be huber or l2, got '\(loss)'") }
      guard delta > 0, delta.isFinite else { throw ValidationError("--delta must be positive, got \(delta)") }
      guard (0...FitOptions.maximumResamples).contains(bootstrap) else {
        throw ValidationError("--bootstrap must be between 0 and \(FitOptions.maximumResamples), got \(bootstrap)")
      }
      for budget in compute where !(budget > 0 && budget.isFinite) {
        throw ValidationError("--compute must be a positive number of FLOPs, got \(budget)")
      }
      if let at { _ = try Self.pair(at, flag: "--at") }
      for point in predict { _ = try Self.pair(point, flag: "--predict") }
    }

    /// `scaling.svg` → `scaling-isoflop.svg`.
    static func isoflopPath(_ plot: String) -> String {
      plot.lowercased().hasSuffix(".svg") ? String(plot.dropLast(4)) + "-isoflop.svg" : plot + "-isoflop.svg"
    }

    static func pair(_ text: String, flag: String) throws -> (n: Double, d: Double) {
      let parts = text.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
      guard parts.count == 2, let n = parts[0], let d = parts[1], n > 0, d > 0 else {
        throw ValidationError("\(flag) expects N,D as two positive numbers, got '\(text)'")
      }
      return (n, d)
    }

    func run() throws {
      let columns = [
        // Ratios, rates and settings are not sizes: tokens_per_param, flops_per_token, tflops/s,
        // hparam_lr, vocab_tokens, loss_scale.
        TableColumn(
          key: "N", explicit: nColumn, aliases: ["n", "params", "parameters", "model_size", "model size", "n_params", "num_params", "nparams"],
          flag: "--n-col", namedLike: ["param"], unlike: ["per", "ratio", "/", "hparam", "hyper", "lr", "learning"], scalesByName: true),
        TableColumn(
          key: "D", explicit: dColumn, aliases: ["d", "tokens", "data", "train_tokens", "training_tokens", "n_tokens", "num_tokens"],
          flag: "--d-col", namedLike: ["token"], unlike: ["per", "ratio", "/", "param", "vocab", "tokenizer"], scalesByName: true),
        TableColumn(
          key: "loss", explicit: lossColumn, aliases: ["loss", "final_loss", "eval_loss", "val_loss", "validation_loss", "test_loss"],
          flag: "--loss-col", namedLike: ["loss"], unlike: ["std", "err", "scale"]),
        TableColumn(
          key: "C", explicit: computeColumn, aliases: ["c", "compute", "flops", "training flop", "training_flop", "training flops", "training_flops", "flop", "flops_6nd"],
          flag: "--compute-col", namedLike: ["flop", "compute"], unlike: ["per", "/s", "mfu", "time", "throughput", "ratio"]),
      ]
      var table = try ExitStatus.guarding { () throws(IngestError) in
        try TableReader(wanted: columns).read(path: file)
      }
      let conditions = try whereConditions()
      if !conditions.isEmpty {
        table = try selecting { () throws(SelectionError) in try table.keeping(conditions) }
      }
      let check = ScalingTableCheck(table: table)
      if let refusal = check.refusal {
        ExitStatus.printError(refusal)
        throw ExitStatus.badInput
      }
      // Said before any warning about pooled runs: without a loss there is nothing to pool.
      if table.values["loss"] == nil {
        ExitStatus.printError(Self.noLoss(table))
        throw ExitStatus.badInput
      }
      if group.isEmpty {
        if conditions.isEmpty, let warning = check.poolingWarning {
          FileHandleStderr.write("curvefit: warning: \(warning)\n")
        }
        let report = ScalingReport(analysis: try analyze(table))
        if let plot {
          try PlotWriter.write(ScalingPlot(report: report).render(), to: plot, inputs: [file ?? "-"])
          if let profiles = IsoFLOPPlot(report: report).render() {
            let path = Self.isoflopPath(plot)
            try PlotWriter.write(profiles, to: path, inputs: [file ?? "-"])
            FileHandleStderr.write("curvefit: wrote \(plot) and \(path) (isoFLOP profiles)\n")
          }
        }
        print(report.rendered(as: format), terminator: "")
        return
      }
      let groups = try selecting { () throws(SelectionError) in try table.grouped(by: group) }
      var entries: [ScalingGroupReport.Entry] = []
      for (key, subset) in groups {
        do {
          entries.append(.init(key: key, analysis: try analyze(subset, quiet: true), failure: nil))
        } catch let failure as ScalingFailure {
          entries.append(.init(key: key, analysis: nil, failure: failure.message))
        }
      }
      let report = ScalingGroupReport(source: table.source, columns: group, entries: entries)
      print(report.rendered(as: format), terminator: "")
    }

    private func whereConditions() throws -> [Table.Condition] {
      try conditions.map { text in
        guard let condition = Table.Condition(parsing: text) else {
          throw ValidationError("--where expects COL=VALUE, got '\(text)'")
        }
        return condition
      }
    }

    private func selecting<T>(_ body: () throws(SelectionError) -> T) throws -> T {
      do {
        return try body()
      } catch {
        ExitStatus.printError(error.message)
        throw ExitStatus.badUsage
      }
    }

    static func noLoss(_ table: Table) -> String {
      "\(table.source): no loss column; columns are \(table.columns.joined(separator: ", ")) (choose one with --loss-col)"
    }

    /// A group's fit that failed: said in its row instead of stopping the other groups.
    struct ScalingFailure: Error { var message: String }

    /// Maps the table's columns to N, D, loss and compute and fits the law (and the isoFLOP profiles).
    private func analyze(_ table: Table, quiet: Bool = false) throws -> ScalingAnalysis {
      func fail(_ message: String) throws -> Never {
        if quiet { throw ScalingFailure(message: message) }
        ExitStatus.printError(message)
        throw ExitStatus.badInput
      }
      guard let losses = table.values["loss"] else { try fail(Self.noLoss(table)) }
      let count = losses.count
      var n = table.values["N"] ?? Array(repeating: .nan, count: count)
      var d = table.values["D"] ?? Array(repeating: .nan, count: count)
      var tokensFromCompute = false
      if table.values["D"] == nil, let c = table.values["C"], table.values["N"] != nil {
        d = zip(c, n).map { $0 / (6 * $1) }
        tokensFromCompute = true
      }
      if table.values["N"] == nil && table.values["D"] == nil && !tokensFromCompute {
        try fail("\(table.source): no N or D column; columns are \(table.columns.joined(separator: ", ")) (choose with --n-col / --d-col)")
      }
      let compute = table.values["C"]
      // A missing variable is held constant, so the one-variable law is chosen.
      if table.values["N"] == nil { n = Array(repeating: 1, count: count) }
      if table.values["D"] == nil && !tokensFromCompute { d = Array(repeating: 1, count: count) }

      var options = ScalingAnalysis.Options()
      options.form = law == "auto" ? nil : ScalingLaw.Form(rawValue: law)
      options.delta = loss == "huber" ? delta : nil
      options.resamples = bootstrap
      options.seed = seed
      options.at = try at.map { try Self.pair($0, flag: "--at") }
      options.predictions = try predict.map { try Self.pair($0, flag: "--predict") }
      options.budgets = self.compute
      options.compute = compute
      options.isoflop = isoflop
      if isoflop == true && (table.values["N"] == nil || (table.values["D"] == nil && compute == nil)) {
        try fail("\(table.source): --isoflop needs N and either D or a compute column")
      }
      do {
        return try ScalingAnalysis.run(
          n: n, d: d, loss: losses, table: table, tokensFromCompute: tokensFromCompute, options: options)
      } catch {
        try fail("\(table.source): \(error.description)")
      }
    }
  }
}
