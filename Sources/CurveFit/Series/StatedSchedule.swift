/// A learning-rate schedule a log states in words rather than logging its rates: the config
/// nanoGPT prints before it trains (`lr_decay_iters = 5000`, `warmup_iters = 100`,
/// `min_lr = 1e-4`). The analysis uses it as it would `--schedule` with `--total-steps`, unless
/// the flags say otherwise or the log has a rate column.
public struct StatedSchedule: Sendable, Equatable {
  /// `cosine` or `constant`, as `LearningRateSchedule.Shape` spells them.
  public var shape: String
  /// The step at which the decay reaches its floor (nanoGPT's `lr_decay_iters`).
  public var decayEnd: Double
  public var warmupSteps: Double
  /// The floor as a fraction of the peak (`min_lr / learning_rate`).
  public var finalRatio: Double
  /// What the log says, as the report quotes it: `nanoGPT's config: lr_decay_iters = 5000, …`.
  public var source: String

  public init(shape: String, decayEnd: Double, warmupSteps: Double, finalRatio: Double, source: String) {
    (self.shape, self.decayEnd, self.warmupSteps, self.finalRatio, self.source) = (shape, decayEnd, warmupSteps, finalRatio, source)
  }
}
