import Foundation
import ArgumentParser
import CurveFit

extension CurveFitCommand {
  struct Analyze: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Fit L(t) = L_min + C·t^-α to a loss log and project it.",
      discussion: """
        The log is CSV or TSV with a header row, or JSON lines; the format is detected from the
        content. Rows with an empty loss cell (or no loss key) are skipped.

        Examples:
          curvefit analyze examples/gpt2-124m-llmc.csv
          tail -n 5000 train.csv | curvefit --from-step 2000 --format json
          curvefit log.jsonl --step-col tokens --target 2.9
          curvefit train.csv --fail-on spike,divergence || echo "stop the job"
        """
    )

    @OptionGroup var input: InputOptions
    @OptionGroup var fitOptions: FitOptions
    @OptionGroup(title: "Health") var health: HealthFlags
    @OptionGroup var output: OutputOptions

    func validate() throws {
      try fitOptions.validate()
      _ = try output.unit(output.units)
      _ = try output.unit(input.inputUnits)
    }

    func run() throws {
      let pattern = try input.pattern.map { text in
        try ExitStatus.guarding { () throws(IngestError) in try TextLogPattern(name: "--pattern", regex: text) }
      }
      let displayUnit = try output.unit(output.units)
      var reader = LogReader(selection: input.selection, pattern: pattern)
      // Large files: hash while the (mostly single-threaded) analysis leaves a core free, rather
      // than while both cores parse.
      let digest = DigestTask(path: input.file)
      reader.computeDigest = digest == nil
      let series = try ExitStatus.guarding { () throws(IngestError) in
        try reader.read(path: input.file)
      }.converted(from: try output.unit(input.inputUnits))
      digest?.start()
      var options = fitOptions.analysisOptions
      options.health = health.options
      options.detector = health.detector
      options.keepSpikes = health.keepSpikes
      options.target = options.target.map(displayUnit.toNats)
      let analysis = try ExitStatus.guarding { () throws(FitError) in
        try LossCurveAnalysis.run(series, options: options)
      }
      var report = Report(analysis: analysis, commandLine: CommandLine.arguments)
      report.unit = displayUnit
      report.inputSHA256 = digest?.wait()
      if let plot = output.plot {
        report.plotPath = plot
        let svg = SVGPlot(report: report, logarithmicSteps: !output.linearX).render()
        guard FileManager.default.createFile(atPath: plot, contents: Data(svg.utf8)) else {
          ExitStatus.printError("\(plot): cannot write the plot")
          throw ExitStatus.badInput
        }
      }
      output.write(report.rendered(as: output.format))
      let failOn = try health.failOnKinds()
      if let event = analysis.health.actionable.first(where: { failOn.contains($0.kind) }) {
        ExitStatus.printError("\(event.kind.rawValue) at step \(event.step.formatted(.number.grouping(.never))) (--fail-on)")
        throw ExitStatus.eventFound
      }
    }
  }
}
