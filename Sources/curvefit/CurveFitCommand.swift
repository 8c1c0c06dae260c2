import ArgumentParser
import CurveFit

@main
struct CurveFitCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "curvefit",
    abstract: "Read a training-loss log; fit, project and check the curve.",
    discussion: """
      With no subcommand, curvefit analyses one log (the `analyze` subcommand).

      Examples:
        curvefit examples/gpt2-124m-llmc.csv
        cat train.jsonl | curvefit --format json
        curvefit run.csv --loss-col train/loss --target 3.0 --format markdown
      """,
    version: CurveFitVersion.current,
    subcommands: [Analyze.self, Scaling.self, Watch.self],
    defaultSubcommand: Analyze.self
  )
}
