import ArgumentParser
import CurveFit

@main
struct CurveFitCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "curvefit",
    abstract: "Read a training-loss log; fit, project and check the curve.",
    discussion: """
      With no subcommand, curvefit analyses one log (the `analyze` subcommand).

      Examples (from the repository root):
        curvefit examples/slm-125m-legal/metrics.jsonl
        cat examples/synthetic/power-law.csv | curvefit --format json
        curvefit examples/synthetic/power-law.csv --target 3.0 --format markdown
      """,
    version: CurveFitVersion.current,
    subcommands: [Analyze.self, Scaling.self, Watch.self],
    defaultSubcommand: Analyze.self
  )
}
