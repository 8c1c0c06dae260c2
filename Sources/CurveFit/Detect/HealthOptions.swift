/// Thresholds of the health detectors. Each default is explained in docs/health.md.
public struct HealthOptions: Sendable, Equatable {
  /// Robust z at which a point opens a spike. Default 6: with Gaussian noise a false alarm every
  /// ~10⁹ points, and heavy-tailed real noise still rarely crosses it.
  public var spikeZ = 6.0
  /// A spike must also be this many times its baseline. Default 1.1: clean per-step logs of
  /// real runs (llm.c, build-nanogpt) hold 2–4-step excursions of 6–9% that nobody would roll
  /// back for.
  public var spikeMinRatio = 1.1
  /// Robust z below which the loss counts as back within noise. Default 2.
  public var recoveryZ = 2.0
  /// A loss within this ratio of its baseline also counts as recovered, so a trend that is a
  /// few per cent off cannot keep a spike open forever. Default 1.03.
  public var recoveryRatio = 1.03
  /// An elevated stretch that stays flat this many points is a level shift, not a spike: it is
  /// closed unrecovered and the baseline moves to the new level. Default 200.
  public var maxSpikePoints = 200
  /// Points the baseline level averages over (its EMA span; the noise scale uses a quarter).
  /// Default 200: long enough that a sustained rise outruns it, short next to a run's length.
  public var baselineSpan = 200
  /// Events closer than this many points merge into one. Default 10.
  public var mergeGap = 10
  /// Rollback distance before a spike, in the step column's units; `nil` (the default) scales it
  /// to the log (`Rollback`: 100 steps on a per-step log, as PaLM restarted ~100 steps before).
  public var rollbackSteps: Double?
  /// Round rollback steps down to a multiple of this (the checkpoint interval); `nil` scales it.
  public var checkpointEvery: Double?
  /// Minimum points of a sustained rise to call divergence. Default 20.
  public var divergenceMinPoints = 20
  /// Plateau windows hold this fraction of the points (at least `plateauMinPoints`); a flat
  /// window then grows while it stays flat. Default 10%.
  public var plateauWindowFraction = 0.1
  public var plateauMinPoints = 20
  /// How many standard errors flatter than the trend a window must be. Default 4.
  public var plateauZ = 4.0

  public init() {}
}
