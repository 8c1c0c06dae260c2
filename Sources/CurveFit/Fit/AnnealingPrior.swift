import Foundation
import LeastSquares

/// What whole real runs say about the annealing term, for a log that has not yet shown enough of
/// its decay to measure it.
///
/// Fitted to the whole of every decaying real run in `make forecast` (llm.c, build-nanogpt, the
/// SLM-125M log, the Smol Playbook ablations; `scripts/forecast.py --prior`), the bonus of
/// decaying the rate from its peak to zero, `C/(1 − λ)` nats, is 3.7–11% of the run's final loss
/// (median 6.1% over 12 runs, relative standard deviation 0.31, robust 0.25; with the Smol
/// rate ablations, 15 runs, 6.4% and 0.30, a spread that measured worse and was not taken), while `C`
/// measured from the first tenth of a run is anything from zero to several times that, or sends
/// the projected loss below zero. The prior is an extra residual of the fit, so a log that has seen its decay
/// measures `C` itself and one that has not borrows it: a maximum a posteriori estimate with a
/// normal prior on `C` whose centre scales with the loss (docs/forecasting.md has the runs and a
/// leave-one-run-out check). The exponent of the `S1` term gets a weaker prior of the same kind.
public struct AnnealingPrior: Sendable, Equatable {
  /// The bonus of a full decay as a fraction of the loss at the last fitted step: the whole
  /// runs' median, 0.061, rounded.
  public var bonusRatio = 0.06
  /// The prior's standard deviation relative to its centre: the whole runs' robust spread
  /// (1.4826 × median absolute deviation, 0.25), not their plain 0.31, which one run at 1.8× the
  /// median sets; a run that far out shows it once its decay is under way (SLM-125M measures its
  /// own C from half-way).
  public var spread = 0.25
  /// The data weigh against the prior as at most this many independent points: neighbouring
  /// losses of a real log share their errors, so ten thousand of them are not ten thousand
  /// measurements of a decay they barely show.
  public var effectivePoints = 2_000.0

  /// The centre of a lognormal prior on the exponent `alpha` of the `S1` term: the whole runs'
  /// median, 0.52, rounded; 0 leaves `alpha` to the data. From a tenth of a run the data trade
  /// `alpha` against `L0` along a valley, and the fit slid to `alpha` near 0.1 with `L0` at zero,
  /// a curve that falls for ever (Smol GBS 1.5M cut at a tenth: −9.2%; with the prior −1.5%).
  public var exponent = 0.5
  /// The standard deviation of `log alpha`: the whole runs' plain 0.46, not their robust 0.24,
  /// so the prior stays weak; the data decide `alpha` whenever they can.
  public var exponentSpread = 0.45

  public init() {}

  /// The prior describes real runs, not every run. Once the rate has fallen by this share of its
  /// peak within the fitted steps, the log measures `C` itself well enough to show a run the
  /// prior does not describe (a small model memorising a small corpus gains a third of its loss
  /// from the decay, five times the prior's bonus); before that, a large `C` from the log is the
  /// early steps' curvature, not a decay it has barely begun.
  static let conflictDecay = 0.25
  /// How many standard deviations (the prior's and the log's own, together) the log's `C` must
  /// lie above the prior's centre for the prior on it to be set aside. Only above: from half a
  /// cosine the law measures less bonus than the whole run shows (docs/forecasting.md), so a `C`
  /// below the centre is that shortfall, which the prior is there to make up.
  static let conflictZ = 3.0

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
    /// The exponent prior's centre and log spread (nil when `alpha` was left to the data), and
    /// the share of `log alpha`'s precision that came from the log.
    public var exponent: Double?
    public var exponentSpread: Double?
    public var exponentDataShare = Double.nan
    /// How many standard deviations above the prior's centre the log measured `C` when the
    /// prior on it was set aside (`C` then comes from the log alone); `nil` when it was kept.
    public var conflictZ: Double?
  }

  /// Refits `free` (the problem without the prior on `c'`) from the prior-bound `fitted` and
  /// returns it when its `c'` lies more than `conflictZ` standard deviations above `center`: the
  /// log's decay so far then says this run gains far more from its decay than real runs do, and
  /// holding it to their bonus would project the rest of the decay too short.
  func conflict(
    in free: AnnealingLawProblem, from fitted: LevenbergMarquardt.Summary, center: Double, points: Double,
    solver: LevenbergMarquardt
  ) -> (summary: LevenbergMarquardt.Summary, z: Double)? {
    // A fit with the prior that pins a parameter or stops short already says the law may not
    // describe this log (the power law then projects); the log's own `C` cannot settle that
    // (an outside SFT run whose early fall the free fit took for a bonus ten times the prior's:
    // −31% from half, where the power law kept gave −3.7%).
    guard fitted.converged, !fitted.atBound.contains(true) else { return nil }
    let summary = solver.minimize(free, from: fitted.parameters)
    guard summary.converged, !summary.atBound.contains(true), summary.parameters[3] > center,
      let covariance = Covariance(jacobian: summary.jacobian, residuals: summary.residuals).matrix
    else { return nil }
    // Neighbouring losses share their errors: the log's error as `effectivePoints` would give it.
    let logError = max(0, covariance[3, 3]).squareRoot() * max(1, points / effectivePoints).squareRoot()
    let priorError = spread * center
    let z = (summary.parameters[3] - center) / (logError * logError + priorError * priorError).squareRoot()
    return z > Self.conflictZ ? (summary, z) : nil
  }

  /// `C` at the centre of the prior, for a loss `level` and momentum `lambda`.
  func center(level: Double, lambda: Double) -> Double {
    bonusRatio * level * (1 - lambda)
  }

  /// The prior's residual weight against data of `points` raw losses whose weighted log
  /// residuals have scale `sigma`.
  func weight(sigma: Double, points: Double) -> Double {
    dataWeight(sigma: sigma, points: points) / spread
  }

  /// The weight of one standard deviation of a prior against the data (see `weight`).
  func dataWeight(sigma: Double, points: Double) -> Double {
    sigma * max(1, points / effectivePoints).squareRoot()
  }

  /// What the prior did in `fit`, or `nil` when the fit had none.
  func use(in fit: AnnealingFit) -> Use? {
    guard let state = fit.state, state.x2Ref > 0,
      let center = state.priorConflict?.center ?? state.prior?.center
    else { return nil }
    var use = Use(bonusRatio: bonusRatio, spread: spread, center: center / state.x2Ref, dataShare: .nan)
    use.conflictZ = state.priorConflict?.z
    if let exponentPrior = state.exponentPrior {
      use.exponent = Foundation.exp(exponentPrior.center)
      use.exponentSpread = exponentPrior.spread
    }
    guard let errors = fit.standardErrors else { return use }
    // 1 − posterior/prior variance, in the prior's own scale.
    func share(_ name: String, relative: Double, priorError: Double) -> Double {
      guard let index = fit.parameterNames.firstIndex(of: name), priorError > 0, relative > 0 else { return .nan }
      let error = errors[index] / relative
      return min(1, max(0, 1 - (error * error) / (priorError * priorError)))
    }
    // Set aside, the prior gave `C` nothing.
    use.dataShare = use.conflictZ != nil ? 1 : share("C", relative: 1, priorError: spread * use.center)
    if let exponentSpread = use.exponentSpread {
      use.exponentDataShare = share("alpha", relative: fit.model.alpha, priorError: exponentSpread)
    }
    return use
  }
}
