import ArgumentParser
import CurveFit
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

extension CurveFitCommand {
  struct Watch: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Follow a log as the trainer writes it; alert the moment a spike, plateau or divergence appears.",
      discussion: """
        Like `tail -f`: survives the file being truncated or replaced (rotation). Every --every-rows new rows or --every-seconds seconds it refits the curve and reruns the health detectors, prints a status line, and prints an ALERT line for each new event, with the step and the suggested rollback. With --fail-on it exits with status 3 on the first such event, so a wrapper script can stop the job.

        Examples (from the repository root; stop with Ctrl-C or --max-seconds):
          curvefit watch examples/synthetic/power-law.csv --max-seconds 3
          curvefit watch examples/synthetic/power-law.csv --max-seconds 3 \\
            --fail-on divergence || echo "diverged"
        """
    )

    @Argument(help: "The log file the trainer appends to.", completion: .file())
    var file: String

    @Option(name: .customLong("step-col")) var stepColumn: String?
    @Option(name: .customLong("loss-col")) var lossColumn: String?
    @Option(name: .customLong("every-rows"), parsing: .unconditional, help: "Re-analyse after this many new rows.")
    var everyRows: Int = 1
    @Option(name: .customLong("every-seconds"), parsing: .unconditional, help: "Re-analyse at least this often when rows arrive, in seconds.")
    var everySeconds: Double = 1
    @Option(name: .customLong("poll"), parsing: .unconditional, help: "Seconds between checks of the file.")
    var poll: Double = 0.2
    @Option(name: .customLong("max-seconds"), parsing: .unconditional, help: "Stop after this long (default: run until interrupted).")
    var maxSeconds: Double?

    @OptionGroup(title: "Health") var health: HealthFlags

    func validate() throws {
      guard (1...1_000_000_000).contains(everyRows) else { throw ValidationError("--every-rows must be between 1 and 1e9, got \(everyRows)") }
      if let maxSeconds, !(maxSeconds > 0 && maxSeconds.isFinite) { throw ValidationError("--max-seconds must be a positive number") }
      guard poll.isFinite, everySeconds.isFinite, poll <= 3_600 else { throw ValidationError("--poll and --every-seconds must be finite (poll at most 3600)") }
      guard poll > 0, everySeconds >= 0 else { throw ValidationError("--poll must be positive") }
    }

    func run() throws {
      let failOn = try health.failOnKinds()
      try checkWatchable()
      var follower = FileFollower(path: file)
      var alerted: [Anomaly] = []
      var lastRows = 0
      var lastAnalysis = Date.distantPast
      var waiting: String?
      let started = Date()
      Console.line("watching \(file) (Ctrl-C to stop)")
      while maxSeconds.map({ Date().timeIntervalSince(started) < $0 }) ?? true {
        if follower.refresh() {
          lastRows = 0
          alerted = []
          Console.line("\(file) was truncated or replaced; starting over")
        }
        let rows = follower.lineCount
        let due = rows - lastRows >= everyRows || (rows > lastRows && Date().timeIntervalSince(lastAnalysis) >= everySeconds)
        if due, let analysis = try analyse(&waiting) {
          lastRows = rows
          lastAnalysis = Date()
          for event in analysis.health.actionable where !alerted.contains(where: { Self.same($0, event) }) {
            alerted.append(event)
            Console.line("ALERT " + Self.describe(event, on: analysis.health.axis))
            if failOn.contains(event.kind) {
              ExitStatus.printError("\(event.kind.rawValue) at \(Self.position(event.step, on: analysis.health.axis)) (--fail-on)")
              throw ExitStatus.eventFound
            }
          }
          Console.line(Self.status(analysis))
        }
        Thread.sleep(forTimeInterval: poll)
      }
    }

    /// A missing file, a directory or a device cannot be followed: say so and stop, rather than
    /// print "watching" and wait for ever.
    private func checkWatchable() throws {
      var status = stat()
      guard stat(file, &status) == 0 else {
        ExitStatus.printError("\(file): cannot open: \(String(cString: strerror(errno)))")
        throw ExitStatus.badInput
      }
      if (status.st_mode & S_IFMT) == S_IFDIR {
        ExitStatus.printError("\(file): is a directory; watch follows one log file (curvefit analyze reads a directory)")
        throw ExitStatus.badUsage
      }
      guard (status.st_mode & S_IFMT) == S_IFREG else {
        ExitStatus.printError("\(file): not a regular file; watch follows a log file the trainer appends to")
        throw ExitStatus.badUsage
      }
    }

    /// Reads and analyses the complete lines of the file (a half-written last line is not read).
    ///
    /// A log still too short, or empty, is waited for, saying so once; one that cannot be read
    /// as a log at all (not a format curvefit knows, a malformed line) is an error, since more
    /// rows will not mend it.
    private func analyse(_ waiting: inout String?) throws -> LossCurveAnalysis? {
      do {
        let series: LossSeries
        do throws(IngestError) {
          let read = try LogReader(selection: ColumnSelection(stepColumn: stepColumn, lossColumn: lossColumn))
            .read(completeLinesOf: file)
          series = read.perplexityAsLoss() ?? read
        } catch {
          switch error {
          case .empty, .headerOnly, .noFiniteLoss:
            Self.wait(error.description, &waiting)
            return nil
          default:
            ExitStatus.printError(error.description)
            throw ExitStatus.badInput
          }
        }
        var options = LossCurveAnalysis.Options()
        options.health = health.options
        options.detector = health.detector
        options.keepSpikes = health.keepSpikes
        // Live updates want the verdict fast: intervals and backtests belong to the final report.
        options.bootstrapResamples = 0
        options.holdout = 0
        options.model = .power
        do throws(FitError) {
          let analysis = try LossCurveAnalysis.run(series, options: options)
          waiting = nil
          return analysis
        } catch {
          // Numbers no more rows can mend are an error; too few points yet is a wait.
          switch error {
          case .unusableValues, .negativeLoss:
            ExitStatus.printError(error.description)
            throw ExitStatus.badInput
          default:
            Self.wait(error.description, &waiting)
            return nil
          }
        }
      }
    }

    /// A step or count as a whole number, whatever its size (`Int(_:)` traps beyond 9.2e18).
    static func whole(_ value: Double) -> String {
      value.isFinite ? String(format: "%.0f", value) : "n/a"
    }

    /// Prints why the analysis waits, once per reason.
    private static func wait(_ reason: String, _ waiting: inout String?) {
      if reason != waiting { Console.line("waiting: \(reason)") }
      waiting = reason
    }

    /// Events are the same when their kind matches and they start within 50 steps: a live spike's
    /// start can move by a step as its rise is seen in full.
    static func same(_ a: Anomaly, _ b: Anomaly) -> Bool {
      a.kind == b.kind && (a.kind == .divergence || abs(a.step - b.step) <= 50)
    }

    /// `step 3200` (ungrouped, for grep), or on a token, sample or epoch axis the report's words:
    /// `2.71e10 tokens`, `epoch 12`.
    static func position(_ value: Double, on axis: StepAxis) -> String {
      axis == .steps ? "step \(Self.whole(value))" : axis.at(value)
    }

    static func describe(_ event: Anomaly, on axis: StepAxis = .steps) -> String {
      switch event {
      case .spike(let spike):
        "spike at \(position(spike.startStep, on: axis)) (×\(String(format: "%.2g", spike.ratio)), z \(Self.whole(spike.z.rounded())))"
          + ": roll back to ≤ \(axis == .steps ? Self.whole(spike.rollbackStep) : axis.at(spike.rollbackStep)), "
          + "skip ~\(axis == .steps ? "\(Self.whole(spike.batchesToSkip)) batches" : "\(axis.number(spike.batchesToSkip)) \(axis.rawValue)")"
      case .plateau(let plateau):
        (plateau.ongoing
          ? "plateau since \(position(plateau.startStep, on: axis))"
          : axis == .steps
            ? "plateau at steps \(Self.whole(plateau.startStep))–\(Self.whole(plateau.endStep))" : "plateau at \(axis.span(plateau.startStep, plateau.endStep))")
          + ": improving \(String(format: "%.3g", plateau.improvementPer1k * axis.rateSpan.length / 1000)) nats per \(axis.rateSpan.label)"
      case .divergence(let divergence):
        "divergence at \(position(divergence.startStep, on: axis)) (\(divergence.severity.rawValue)): roll back before it"
      }
    }

    static func status(_ analysis: LossCurveAnalysis) -> String {
      // A withheld forecast (a divergence, a loss at 0, a stall) has no 10× to show.
      let tenfold = analysis.forecast?.withheld != nil
        ? "not projected" : analysis.projections.last.map { String(format: "%.4g", $0.loss.value) } ?? "n/a"
      return "\(position(analysis.lastStep, on: analysis.series.origin.axis)) · loss \(String(format: "%.4g", analysis.current.value)) (fitted)"
        + " · \(analysis.health.events.isEmpty ? "healthy" : "\(analysis.health.events.count) event\(analysis.health.events.count == 1 ? "" : "s")")"
        + " · 10× → \(tenfold)"
    }
  }
}

/// Prints a line to stdout at once, even when stdout is a pipe.
enum Console {
  static func line(_ text: String) {
    // write(2) straight to the descriptor: unbuffered, so a pipe sees each line at once.
    let bytes = Array((text + "\n").utf8)
    bytes.withUnsafeBytes { _ = Glibc.write(STDOUT_FILENO, $0.baseAddress, $0.count) }
  }
}
