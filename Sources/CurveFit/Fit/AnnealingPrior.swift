import Foundation

/// What whole real runs say about the annealing term, for a log that has not yet shown enough of
/// its decay to measure it.
///
/// Fitted to the whole of every decaying real run in `make forecast` (llm.c, build-nanogpt, the
/// SLM-125M log, the Smol Playbook ablations; `scripts/forecast.py --prior`), the bonus of
/// decaying the rate from its peak to zero, `C/(1 − λ)` nats, is 3.7–11% of the run's final loss
/// (median 6.1% over 12 runs, relative standard deviation 0.29), while `C` measured from the
/// first tenth of a run is anything from zero to several times that, or sends the projected
/// loss below zero. The prior is an extra residual of the fit, so a log that has seen its decay
/// measures `C` itself and one that has not borrows it: a maximum a posteriori estimate with a
/// normal prior on `C` whose centre scales with the loss (docs/forecasting.md has the runs and a
/// leave-one-run-out check).
public struct AnnealingPrior: Sendable, Equatable {
  /// The bonus of a full decay as a fraction of the loss at the last fitted step: the whole
  /// runs' median, 0.061, rounded.
  public var bonusRatio = 0.06
  /// The prior's standard deviation relative to its centre (the whole runs' 0.29, widened for
  /// runs unlike these).
  public var spread = 0.35
  /// The data weigh against the prior as at most this many independent points: neighbouring
  /// losses of a real log share their errors, so ten thousand of them are not ten thousand
  /// measurements of a decay they barely show.
  public var effectivePoints = 2_000.0

  public init() {}

  /// What the prior did in one fit.
  public struct Use: Sendable, Equatable {
    public var bonusRatio: Double
    public var spread: Double
    /// `C` at the prior's centre.
    public var center: Double
    /// The share of `C`'s precision that came from the log (1 − posterior/prior variance):
    /// 0 when the log shows no decay and `C` is the prior's, near 1 when the decay measures it;
    /// NaN (JSON null) when the fit has no standard errors to tell.
    public var dataShare: Double
  }

  /// `C` at the centre of the prior, for a loss `level` and momentum `lambda`.
  func center(level: Double, lambda: Double) -> Double {
    bonusRatio * level * (1 - lambda)
  }

  /// The prior's residual weight against data of `points` raw losses whose weighted log
  /// residuals have scale `sigma`.
  func weight(sigma: Double, points: Double) -> Double {
    sigma * max(1, points / effectivePoints).squareRoot() / spread
  }

  /// What the prior did in `fit`, or `nil` when the fit had none.
  func use(in fit: AnnealingFit) -> Use? {
    guard let applied = fit.state?.prior, let scale = fit.state?.x2Ref, scale > 0 else { return nil }
    let center = applied.center / scale
    let priorError = spread * center
    guard let index = fit.parameterNames.firstIndex(of: "C"), let error = fit.standardErrors?[index], priorError > 0
    else { return Use(bonusRatio: bonusRatio, spread: spread, center: center, dataShare: .nan) }
    let share = 1 - (error * error) / (priorError * priorError)
    return Use(bonusRatio: bonusRatio, spread: spread, center: center, dataShare: min(1, max(0, share)))
  }
}
