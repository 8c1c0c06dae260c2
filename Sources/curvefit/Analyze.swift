import Foundation
import ArgumentParser
import CurveFit

extension CurveFitCommand {
  struct Analyze: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Fit L(t) = L_min + C·t^-α to a loss log and project it.",
      discussion: """
        The log is CSV, TSV, JSON lines, a trainer_state.json, a console log, a W&B export, a TensorBoard event file (any of them gzip- or zstd-compressed) or a directory of them; the format is detected from the content. Rows with an empty loss cell are skipped.

        Examples (from the repository root):
          curvefit analyze examples/slm-125m-legal/metrics.jsonl
          head -n 5001 examples/synthetic/power-law.csv | curvefit --format json
          curvefit examples/slm-125m-legal/metrics.jsonl --target 2.1
          curvefit examples/synthetic/power-law.csv --fail-on spike || echo stop
        """
    )

    @OptionGroup var input: InputOptions
    @OptionGroup var fitOptions: FitOptions
    @OptionGroup(title: "Health") var health: HealthFlags
    @OptionGroup var output: OutputOptions

    /// Writes the report's SVG to its `plotPath`.
    private func writePlot(_ report: Report) throws {
      guard let path = report.plotPath else { return }
      let svg = SVGPlot(report: report, logarithmicSteps: !output.linearX).render()
      try PlotWriter.write(svg, to: path, inputs: [input.file ?? "-"])
    }

    /// `loss.svg` → `loss-<series>.svg`, the series name made safe for a file name.
    static func plotPath(_ plot: String, series: String) -> String {
      let safe = String(series.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." ? $0 : "_" }.prefix(80))
      let url = URL(fileURLWithPath: plot)
      let stem = url.deletingPathExtension().lastPathComponent
      let ext = url.pathExtension.isEmpty ? "svg" : url.pathExtension
      return url.deletingLastPathComponent().appendingPathComponent("\(stem)-\(safe).\(ext)").path
    }

    func validate() throws {
      try fitOptions.validate()
      if !(input.smooth >= 0 && input.smooth < 1) { throw ValidationError("--smooth must be in [0, 1), got \(input.smooth)") }
      _ = try output.unit(output.units)
      _ = try output.unit(input.inputUnits ?? "nats")
    }

    func run() throws {
      // With no FILE and a terminal on standard input, waiting for a log nobody will type helps
      // no one: say how to give one.
      if input.file == nil, isatty(STDIN_FILENO) != 0 {
        ExitStatus.printError("no log given: curvefit FILE (or pipe one in: cat train.csv | curvefit); see curvefit --help")
        throw ExitStatus.badUsage
      }
      let digest = DigestTask(path: input.file)
      let named = try readSeries(hashing: digest == nil)
      try checkScheduleFlags(named)
      try checkTotalSteps(named)
      // Large files: hash while the (mostly single-threaded) analysis leaves a core free, rather
      // than while both cores parse.
      digest?.start()
      let displayUnit = try output.unit(output.units)
      // Many resamples of a long log take minutes: on a terminal, say how far the bootstrap is.
      if isatty(STDERR_FILENO) != 0, fitOptions.bootstrap >= 2_000 || fitOptions.bootstrap * (named.first?.series.count ?? 0) > 2_000_000_000 {
        BootstrapProgress.report = { done, total in
          FileHandleStderr.write("\rcurvefit: bootstrap \(done) of \(total) resamples…")
        }
      }
      let (reports, unfitted, failures) = try analyze(named, displayUnit: displayUnit, digest: digest)
      if BootstrapProgress.report != nil {
        // Clear the progress line before the report and any message.
        FileHandleStderr.write("\r\u{1B}[K")
        BootstrapProgress.report = nil
      }
      if named.count == 1 {
        if let report = reports.first {
          output.write(report.report.rendered(as: output.format))
        } else if let entry = unfitted.first {
          output.write(entry.report.rendered(as: output.format))
        }
      } else {
        var comparison = Comparison(reports: reports, failures: failures)
        comparison.unfitted = unfitted
        output.write(comparison.rendered(as: output.format))
      }
      try failOnEvents(reports.map { ($0.name, $0.report.analysis.health) } + unfitted.map { ($0.name, $0.report.run.health) })
      if named.count == 1, let entry = unfitted.first {
        ExitStatus.printError("\(entry.report.run.series.origin.source): \(entry.report.run.reason): the report holds the health verdict only")
        throw ExitStatus.badInput
      }
      if named.count > 1, reports.isEmpty {
        ExitStatus.printError("none of the \(named.count) series could be fitted")
        throw ExitStatus.badInput
      }
    }

    /// `--schedule` stretches a logged schedule, or declares one with `--total-steps`: on a log
    /// without learning rates and without `--total-steps` it could only be ignored.
    private func checkScheduleFlags(_ named: [NamedSeries]) throws {
      guard let schedule = fitOptions.schedule, fitOptions.totalSteps == nil,
        named.allSatisfy({ $0.series.learningRates == nil })
      else { return }
      ExitStatus.printError(
        "--schedule \(schedule): \(input.file ?? "<stdin>") has no learning-rate column for it to stretch; "
          + "declare the run's schedule with --total-steps N (and --warmup-steps W), or name the column with --lr-col")
      throw ExitStatus.badUsage
    }

    /// `--total-steps` is the run's planned length: a log already past it was given the wrong
    /// number (or the wrong step column), and the planned end would silently fall back to the
    /// one the logged schedule implies.
    private func checkTotalSteps(_ named: [NamedSeries]) throws {
      guard let total = fitOptions.totalSteps,
        let past = named.first(where: { ($0.series.steps.last ?? 0) > total })
      else { return }
      let plain = { (value: Double) in
        value.rounded() == value && abs(value) < 1e15 ? String(Int(value)) : "\(value)"
      }
      let run = named.count > 1 ? " (run \(past.name))" : ""
      ExitStatus.printError(
        "--total-steps \(plain(total)): \(input.file ?? "<stdin>")\(run) is already logged to step "
          + "\(plain(past.series.steps.last ?? 0)); the planned length must reach at least the last logged step")
      throw ExitStatus.badUsage
    }

    /// Every series the input holds (one for a plain log), or a clear error.
    private func readSeries(hashing: Bool) throws -> [NamedSeries] {
      // A pattern that does not compile is bad usage, like any malformed flag.
      let pattern = try input.pattern.map { text in
        do throws(IngestError) {
          return try TextLogPattern(name: "--pattern", regex: text)
        } catch {
          ExitStatus.printError(error.description.replacingOccurrences(of: "cannot open: ", with: ""))
          throw ExitStatus.badUsage
        }
      }
      var reader = LogReader(selection: input.selection, pattern: pattern)
      reader.computeDigest = hashing
      let named: [NamedSeries]
      do throws(IngestError) {
        named = try reader.readAll(path: input.file, request: input.request)
      } catch {
        ExitStatus.printError(error.description)
        throw error.isUsage ? ExitStatus.badUsage : ExitStatus.badInput
      }
      guard !named.isEmpty else {
        let runs = input.request.runs
        ExitStatus.printError("\(input.file ?? "<stdin>"): " + (runs.isEmpty ? "no series found" : "no series matches --run \(runs.joined(separator: ","))"))
        throw ExitStatus.badInput
      }
      return withHeldOutNote(named, reader: reader)
    }

    /// One training loss read from a file gains a note when the evaluation loss beside it climbs
    /// from its lowest, and its epoch length from an `epoch` column beside its steps. The file is
    /// read again for each (standard input cannot be), so only up to 64 MiB: a log that size
    /// reads in a fraction of a second, a larger one would pay twice.
    private func withHeldOutNote(_ named: [NamedSeries], reader: LogReader) -> [NamedSeries] {
      var isFile = stat()
      guard named.count == 1, input.request.metrics.isEmpty, input.request.runs.isEmpty,
        input.selection.lossColumn == nil, let path = input.file, path != "-",
        stat(path, &isFile) == 0, (isFile.st_mode & S_IFMT) == S_IFREG, isFile.st_size <= 64 << 20
      else { return named }
      var named = named
      named[0].series = HeldOutCheck.noting(
        named[0].series, path: path, reader: reader, options: analysisOptions(displayUnit: .nats))
      named[0].series = EpochLength.reading(beside: named[0].series, path: path, reader: reader)
      return named
    }

    /// The analysis settings the flags ask for; `target` in nats.
    private func analysisOptions(displayUnit: LossUnit) -> LossCurveAnalysis.Options {
      var options = fitOptions.analysisOptions
      options.health = health.options
      options.detector = health.detector
      options.keepSpikes = health.keepSpikes
      options.smoothing = input.smooth
      options.target = options.target.map(displayUnit.toNats)
      return options
    }

    /// Analyses each series into a report (writing its plot when asked). With several series, one
    /// that cannot be fitted becomes a row saying why instead of hiding the others.
    private func analyze(
      _ named: [NamedSeries], displayUnit: LossUnit, digest: DigestTask?
    ) throws -> (
      reports: [(name: String, report: Report)], unfitted: [(name: String, report: UnfittedReport)],
      failures: [(name: String, reason: String)]
    ) {
      let options = analysisOptions(displayUnit: displayUnit)
      let inputUnit = try output.unit(input.inputUnits ?? "nats")
      var reports: [(name: String, report: Report)] = []
      var unfitted: [(name: String, report: UnfittedReport)] = []
      var failures: [(name: String, reason: String)] = []
      // Every report names the bytes on disk it came from: the streamed digest covers a plain
      // file read once, but not a compressed one (it saw the inflated bytes), an event file, a
      // run table or the files of a directory; those are hashed here, once per file.
      var hashes: [String: String?] = [:]
      let hashOnDisk = { (series: LossSeries) -> String? in
        if named.count == 1, let digest { return digest.wait() }
        // A run of a table or export is named `file [run]`.
        var path = series.origin.source
        if !FileManager.default.fileExists(atPath: path), path.hasSuffix("]"), let bracket = path.range(of: " [", options: .backwards) {
          path = String(path[..<bracket.lowerBound])
        }
        if let known = hashes[path] { return known }
        var status = stat()
        let hash = stat(path, &status) == 0 && (status.st_mode & S_IFMT) == S_IFREG ? LogReader.sha256(path: path) : series.origin.sha256
        hashes[path] = hash
        return hash
      }
      for entry in named {
        // A perplexity column read for want of a loss is its log, unless the units were given.
        let series = (input.inputUnits == nil ? entry.series.perplexityAsLoss() : nil)
          ?? entry.series.converted(from: inputUnit)
        let analysis: LossCurveAnalysis
        do throws(FitError) {
          analysis = try LossCurveAnalysis.run(series, options: options)
        } catch {
          // Too few points to fit still leaves a verdict (an all-NaN run has diverged).
          if let run = UnfittedRun.check(series, options: options, error: error) {
            var report = UnfittedReport(run: run, commandLine: CommandLine.arguments)
            report.inputSHA256 = hashOnDisk(series)
            unfitted.append((entry.name, report))
            continue
          }
          if named.count == 1 {
            ExitStatus.printError(error.description)
            if case .pastTheEnd = error { throw ExitStatus.badUsage }
            throw ExitStatus.badInput
          }
          failures.append((entry.name, error.description.replacingOccurrences(of: series.origin.source + ": ", with: "")))
          continue
        }
        var report = Report(analysis: analysis, commandLine: CommandLine.arguments)
        report.unit = displayUnit
        report.inputSHA256 = hashOnDisk(series)
        if let plot = output.plot {
          report.plotPath = named.count == 1 ? plot : Self.plotPath(plot, series: entry.name)
          try writePlot(report)
          // With several series, --plot out.svg becomes one file per series: say which.
          if named.count > 1, let path = report.plotPath { FileHandleStderr.write("curvefit: wrote \(path)\n") }
        }
        reports.append((entry.name, report))
      }
      return (reports, unfitted, failures)
    }

    /// `--fail-on`: exit 3 at the first actionable event of a listed kind.
    private func failOnEvents(_ findings: [(name: String, health: HealthFindings)]) throws {
      let failOn = try health.failOnKinds()
      for (name, health) in findings {
        let prefix = findings.count == 1 ? "" : "\(name): "
        let position = { (step: Double) in
          health.axis == .steps ? "step \(step.formatted(.number.grouping(.never)))" : health.axis.at(step)
        }
        if let event = health.actionable.first(where: { failOn.contains($0.kind) }) {
          ExitStatus.printError("\(prefix)\(event.kind.rawValue) at \(position(event.step)) (--fail-on)")
          throw ExitStatus.eventFound
        }
        // An evaluation loss climbing beside the training loss is the divergence its own
        // report (`--metric eval_loss`) would fail on.
        if failOn.contains(.divergence), let heldOut = health.heldOutOverfitting {
          ExitStatus.printError("\(prefix)divergence at \(position(heldOut.startStep)): \(heldOut.name) overfitting (--fail-on)")
          throw ExitStatus.eventFound
        }
      }
    }
  }
}
