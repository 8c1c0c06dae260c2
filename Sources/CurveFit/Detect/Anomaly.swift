/// A health event found in a training curve. `step` is where the event starts, as logged.
public enum Anomaly: Sendable, Equatable {
  case spike(Spike)
  case plateau(Plateau)
  case divergence(Divergence)

  /// The kinds `--fail-on` names.
  public enum Kind: String, Sendable, CaseIterable {
    case spike
    case plateau
    case divergence
  }

  public var kind: Kind {
    switch self {
    case .spike: .spike
    case .plateau: .plateau
    case .divergence: .divergence
    }
  }

  public var step: Double {
    switch self {
    case .spike(let spike): spike.startStep
    case .plateau(let plateau): plateau.startStep
    case .divergence(let divergence): divergence.startStep
    }
  }
}

/// A loss spike: the loss jumps above its local baseline and (usually) comes back.
public struct Spike: Sendable, Equatable {
  public var startStep: Double
  public var peakStep: Double
  public var peakLoss: Double
  /// The loss the trend and local baseline expected at the peak.
  public var baselineLoss: Double
  /// `peakLoss / baselineLoss` (below zero, 1 + the rise over the baseline's size).
  public var ratio: Double
  /// Robust z-score of the peak: its log-residual over the local noise scale.
  public var z: Double
  /// First step back within noise of the baseline; `nil` when it never came back.
  public var recoveryStep: Double?
  /// Logged points from the start to recovery (or the end of the log).
  public var points: Int
  /// Where to restart from: `startStep − rollbackDistance`, rounded down to a checkpoint.
  public var rollbackStep: Double
  /// Batches to skip after the restart: from the rollback step to the recovery.
  public var batchesToSkip: Double
  /// The gradient norm's highest robust z over the spike's start and the 10 points before it,
  /// and how many steps before the loss it peaked; `nil` without a gradient-norm column.
  public var gradNormZ: Double? = nil
  public var gradNormLeadSteps: Double? = nil
}

/// A stretch where the loss stopped improving while its own trend said it should.
public struct Plateau: Sendable, Equatable {
  public var startStep: Double
  public var endStep: Double
  /// Still flat at the end of the log.
  public var ongoing: Bool
  /// Observed improvement per 1,000 steps (positive: the loss falls), and what the power law
  /// fitted to the steps before the plateau expected.
  public var improvementPer1k: Double
  public var expectedPer1k: Double
  /// The learning rate at the plateau's end as a fraction of the peak, when the log has rates.
  public var learningRateFraction: Double?
  /// The same at the plateau's start.
  public var learningRateFractionAtStart: Double? = nil
  /// The loss at the plateau's start and end (medians of a tenth of the run) when the run has
  /// not learned since early on (`NotLearningCheck`); nil for a plateau against the trend.
  public var notLearningLevels: Levels? = nil

  public struct Levels: Sendable, Equatable {
    public var from: Double
    public var to: Double
  }

  /// The run's loss has not fallen since a tenth of its steps: no trend to fall short of.
  public var notLearning: Bool { notLearningLevels != nil }

  /// A loss that flattens while the rate is still decaying, to a tenth of its peak or less, is
  /// the end of an annealed run, not a stalled one. Flat at a rate that has stopped falling
  /// (after a step decay, or at a constant floor) is a plateau whatever came before; a run
  /// that never learned is not annealed by its decay either.
  public var explainedBySchedule: Bool {
    guard !notLearning, let end = learningRateFraction, end <= 0.1 else { return false }
    guard let start = learningRateFractionAtStart else { return true }
    return end < 0.5 * start
  }
}

/// The run is blowing up: a sustained rise beyond noise, or non-finite losses.
public struct Divergence: Sendable, Equatable {
  public enum Severity: String, Sendable {
    /// Rising beyond noise but still finite and below twice the baseline.
    case warning
    /// Non-finite losses, or a rise past twice the baseline.
    case critical
  }

  /// First step of the rise (or the first non-finite step when there is no finite rise).
  public var startStep: Double
  public var firstNonFiniteStep: Double?
  public var nonFiniteCount: Int
  /// The last finite loss over the baseline at the start.
  public var riseRatio: Double
  public var severity: Severity
  /// Not one loss of the run is finite: dead from its first logged step.
  public var noFiniteLoss = false
  /// The loss jumped to exactly zero and stayed there (`ZeroLosses.Kind.collapsed`).
  public var zeroLoss = false
}
