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
        Like `tail -f`: survives the file being truncated or replaced (rotation). Every
        --every-rows new rows or --every-seconds seconds it refits the curve and reruns the health
        detectors, prints a status line, and prints an ALERT line for each new event, with the
        step and the suggested rollback. With --fail-on it exits with status 3 on the first such
        event, so a wrapper script can stop the job.

        Examples:
          curvefit watch runs/train.csv
          curvefit watch train.jsonl --fail-on spike,divergence && echo "finished cleanly"
        """
    )

    @Argument(help: "The log file the trainer appends to.")
    var file: String

    @Option(name: .customLong("step-col")) var stepColumn: String?
    @Option(name: .customLong("loss-col")) var lossColumn: String?
    @Option(name: .customLong("every-rows"), help: "Re-analyse after this many new rows (default 1).")
    var everyRows: Int = 1
    @Option(name: .customLong("every-seconds"), help: "Re-analyse at least this often when rows arrive (default 1).")
    var everySeconds: Double = 1
    @Option(name: .customLong("poll"), help: "Seconds between checks of the file (default 0.2).")
    var poll: Double = 0.2
    @Option(name: .customLong("max-seconds"), help: "Stop after this long (default: run until interrupted).")
    var maxSeconds: Double?

    @OptionGroup(title: "Health") var health: HealthFlags

    func validate() throws {
      guard everyRows >= 1 else { throw ValidationError("--every-rows must be ≥ 1") }
      guard poll > 0, everySeconds >= 0 else { throw ValidationError("--poll must be positive") }
    }

    func run() throws {
      let failOn = try health.failOnKinds()
      var follower = FileFollower(path: file)
      var alerted: [Anomaly] = []
      var lastRows = 0
      var lastAnalysis = Date.distantPast
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
        if due, let analysis = analyse() {
          lastRows = rows
          lastAnalysis = Date()
          for event in analysis.health.actionable where !alerted.contains(where: { Self.same($0, event) }) {
            alerted.append(event)
            Console.line("ALERT " + Self.describe(event))
            if failOn.contains(event.kind) {
              ExitStatus.printError("\(event.kind.rawValue) at step \(Int(event.step)) (--fail-on)")
              throw ExitStatus.eventFound
            }
          }
          Console.line(Self.status(analysis))
        }
        Thread.sleep(forTimeInterval: poll)
      }
    }

    /// Reads and analyses the whole file; an incomplete or malformed log is reported and retried.
    private func analyse() -> LossCurveAnalysis? {
      do {
        let series = try LogReader(selection: ColumnSelection(stepColumn: stepColumn, lossColumn: lossColumn))
          .read(path: file)
        var options = LossCurveAnalysis.Options()
        options.health = health.options
        options.detector = health.detector
        options.keepSpikes = health.keepSpikes
        // Live updates want the verdict fast: intervals and backtests belong to the final report.
        options.bootstrapResamples = 0
        options.holdout = 0
        options.model = .power
        return try LossCurveAnalysis.run(series, options: options)
      } catch {
        Console.line("waiting: \(error)")
        return nil
      }
    }

    /// Events are the same when their kind matches and they start within 50 steps: a live spike's
    /// start can move by a step as its rise is seen in full.
    static func same(_ a: Anomaly, _ b: Anomaly) -> Bool {
      a.kind == b.kind && (a.kind == .divergence || abs(a.step - b.step) <= 50)
    }

    static func describe(_ event: Anomaly) -> String {
      switch event {
      case .spike(let spike):
        "spike at step \(Int(spike.startStep)) (×\(String(format: "%.2g", spike.ratio)), z \(Int(spike.z.rounded())))"
          + ": roll back to ≤ \(Int(spike.rollbackStep)), skip ~\(Int(spike.batchesToSkip)) batches"
      case .plateau(let plateau):
        "plateau since step \(Int(plateau.startStep)): improving \(String(format: "%.3g", plateau.improvementPer1k)) nats per 1k steps"
      case .divergence(let divergence):
        "divergence at step \(Int(divergence.startStep)) (\(divergence.severity.rawValue)): roll back before it"
      }
    }

    static func status(_ analysis: LossCurveAnalysis) -> String {
      let tenfold = analysis.projections.last.map { String(format: "%.4g", $0.loss.value) } ?? "n/a"
      return "step \(Int(analysis.lastStep)) · loss \(String(format: "%.4g", analysis.current.value)) (fitted)"
        + " · \(analysis.health.events.isEmpty ? "healthy" : "\(analysis.health.events.count) events")"
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
