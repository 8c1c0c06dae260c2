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
        """
    )

    @OptionGroup var input: InputOptions
    @OptionGroup var fitOptions: FitOptions
    @OptionGroup var output: OutputOptions

    func validate() throws {
      try fitOptions.validate()
    }

    func run() throws {
      let series = try ExitStatus.guarding { () throws(IngestError) in
        try LogReader(selection: input.selection).read(path: input.file)
      }
      let analysis = try ExitStatus.guarding { () throws(FitError) in
        try LossCurveAnalysis.run(series, options: fitOptions.analysisOptions)
      }
      output.write(Report(analysis: analysis).rendered(as: output.format))
    }
  }
}
