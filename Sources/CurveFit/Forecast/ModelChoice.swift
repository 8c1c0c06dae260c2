import Foundation

/// Which form of the power law the data supports: plain, pure (no floor) or shifted in time.
///
/// Each candidate is fitted to the same points and scored by AIC and BIC (Gaussian likelihood
/// of the raw residuals, `N·ln(SSR/N) + k·(2 | ln N)`) and by its backtest error. Loss curves
/// have correlated noise, so with millions of points BIC alone would crown any extra parameter;
/// the plain power law therefore stays unless another form beats it by ΔBIC ≥ 10 ("very
/// strong" on Kass and Raftery's scale) *and* predicts the held-out end at least as well
/// (backtest error no more than 10% worse).
public struct ModelChoice: Sendable {
  public struct Candidate: Sendable {
    public var form: PowerLaw.Form
    public var aic: Double
    public var bic: Double
    public var backtestError: Double?
    public var converged: Bool
    /// Log errors of rolling-origin backtests that extrapolate 2× (`RollingOrigin`).
    var rollingMisses: [RollingOrigin.Miss] = []
    /// The log errors alone.
    public var rollingErrors: [Double] { rollingMisses.map(\.error) }

    /// The robust spread of `rollingErrors` (`RollingOrigin.spread`); `nil` with fewer than two.
    public var rollingError: Double? { RollingOrigin.spread(rollingMisses) }
  }

  /// True when the form was switched because it extrapolated better inside the run.
  public var chosenByExtrapolation = false

  public var chosen: PowerLaw.Form
  public var runnerUp: PowerLaw.Form?
  /// True when `--model` named the form.
  public var forced: Bool
  public var candidates: [Candidate]

  /// Scores `fits` (one per form) and picks one.
  static func choose(
    _ fits: [PowerLaw.Form: (fit: PowerLawFit, backtest: Backtest?)], forced: PowerLaw.Form?,
    rolling: [PowerLaw.Form: [RollingOrigin.Miss]] = [:]
  ) -> ModelChoice {
    var candidates: [Candidate] = []
    for form in PowerLaw.Form.allCases {
      guard let (fit, backtest) = fits[form] else { continue }
      let n = Double(fit.pointsUsed)
      let k = Double(form.parameterNames.count)
      let ssr = max(fit.rmse * fit.rmse * n, .leastNormalMagnitude)
      let base = n * Foundation.log(ssr / n)
      candidates.append(
        Candidate(
          form: form, aic: base + 2 * k, bic: base + k * Foundation.log(n),
          backtestError: backtest?.meanRelativeError, converged: fit.converged,
          rollingMisses: rolling[form] ?? []))
    }
    let ranked = candidates.filter { $0.bic.isFinite }.sorted { $0.bic < $1.bic }
    if let forced {
      return ModelChoice(
        chosen: forced, runnerUp: ranked.first { $0.form != forced }?.form, forced: true,
        candidates: candidates)
    }
    let power = candidates.first { $0.form == .power }
    var chosen = PowerLaw.Form.power
    if let best = ranked.first(where: \.converged), best.form != .power, let power {
      let strong = power.bic - best.bic >= 10 || !power.converged
      let predictsAsWell: Bool
      if let mine = best.backtestError, let theirs = power.backtestError {
        predictsAsWell = mine <= 1.1 * theirs
      } else {
        predictsAsWell = best.backtestError != nil || power.backtestError == nil
      }
      if strong && predictsAsWell { chosen = best.form }
    }
    // The form exists to extrapolate: one that predicted 2× ahead inside the run clearly better
    // than the choice above (by a fifth) makes the projections instead. On short prefixes the
    // pure form's BIC win came with projections a third too low (docs/forecasting.md).
    var byExtrapolation = false
    if let mine = candidates.first(where: { $0.form == chosen })?.rollingError,
      let best = candidates.filter({ $0.converged && $0.rollingError != nil })
        .min(by: { $0.rollingError! < $1.rollingError! }),
      best.form != chosen, let theirs = best.rollingError, theirs < 0.8 * mine
    {
      chosen = best.form
      byExtrapolation = true
    }
    var choice = ModelChoice(
      chosen: chosen, runnerUp: ranked.first { $0.form != chosen }?.form, forced: false,
      candidates: candidates)
    choice.chosenByExtrapolation = byExtrapolation
    return choice
  }
}
