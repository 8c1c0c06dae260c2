import Foundation
import ArgumentParser
import CurveFit

/// Health detection thresholds and what to do about events.
struct HealthFlags: ParsableArguments {
  @Option(name: .customLong("detector"), help: "Spike rule: default (ours, used when not given), llmc, olmo, foundry, lightning or megatron (docs/health.md compares them).")
  var rule: SpikeRule?

  /// The spike rule asked for; ours when none is (optional, so the help does not print
  /// "default: default").
  var detector: SpikeRule { rule ?? .robust }

  @Option(
    name: .customLong("fail-on"), parsing: .singleValue,
    help: "Exit with status 3 when any of these events is found: spike, plateau, divergence (comma-separated; divergence includes an evaluation loss overfitting beside the training loss).", completion: .list(["spike", "plateau", "divergence", "spike,divergence", "spike,plateau,divergence"]))
  var failOn: [String] = []

  @Flag(name: .customLong("keep-spikes"), help: "Keep spike steps in the fit (divergence is always left out).")
  var keepSpikes = false

  @Option(name: .customLong("spike-z"), parsing: .unconditional, help: "Robust z-score that opens a spike.")
  var spikeZ: Double = HealthOptions().spikeZ

  @Option(name: .customLong("rollback-steps"), parsing: .unconditional, help: "Suggested rollback distance before a spike, in the step column's units (default: 100 steps on a per-step log, three logging intervals on a sparse one).")
  var rollbackSteps: Double?

  @Option(name: .customLong("checkpoint-every"), parsing: .unconditional, help: "Round rollback steps down to this checkpoint interval (default: scaled to the rollback distance, at most 100 steps).")
  var checkpointEvery: Double?

  @Option(name: .customLong("plateau-window"), parsing: .unconditional, help: "Plateau window as a fraction of the points.")
  var plateauWindow: Double = HealthOptions().plateauWindowFraction

  func validate() throws {
    _ = try failOnKinds()
    if !(spikeZ > 0 && spikeZ.isFinite) { throw ValidationError("--spike-z must be positive, got \(spikeZ)") }
    if let rollbackSteps, !(rollbackSteps >= 0 && rollbackSteps.isFinite) {
      throw ValidationError("--rollback-steps must be ≥ 0, got \(rollbackSteps)")
    }
    if let checkpointEvery, !(checkpointEvery >= 0 && checkpointEvery.isFinite) {
      throw ValidationError("--checkpoint-every must be ≥ 0, got \(checkpointEvery)")
    }
    if !(plateauWindow > 0 && plateauWindow < 0.5) {
      throw ValidationError("--plateau-window must be between 0 and 0.5, got \(plateauWindow)")
    }
  }

  /// The kinds named by `--fail-on`, accepting repeated flags and comma-separated lists.
  func failOnKinds() throws -> Set<Anomaly.Kind> {
    var kinds = Set<Anomaly.Kind>()
    for name in failOn.flatMap({ $0.split(separator: ",") }) {
      let trimmed = name.trimmingCharacters(in: .whitespaces)
      guard let kind = Anomaly.Kind(rawValue: trimmed) else {
        throw ValidationError("--fail-on: unknown event '\(trimmed)', expected spike, plateau or divergence")
      }
      kinds.insert(kind)
    }
    return kinds
  }

  var options: HealthOptions {
    var options = HealthOptions()
    options.spikeZ = spikeZ
    options.rollbackSteps = rollbackSteps
    options.checkpointEvery = checkpointEvery
    options.plateauWindowFraction = plateauWindow
    return options
  }
}

extension SpikeRule: ExpressibleByArgument {}
