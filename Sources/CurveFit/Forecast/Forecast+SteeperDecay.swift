import Foundation

extension Forecast {
  /// How many times the log's own measure the decay still to come may be worth, below the bands
  /// of a fit that set the prior on `C` aside.
  ///
  /// The prior is set aside when the decay so far measures a bonus several times real language
  /// runs' (`AnnealingPrior.conflictZ`); nothing then stands for what the law misses at the end
  /// of a decay, and on every such run found outside the table the end came lower still: nanoGPT's
  /// Shakespeare characters from half (0.885, band 0.818–1.011, for 0.811) and an ImageNet
  /// ResNet-50's one-cycle cosine by epoch from half (1.46, band 1.42–1.72, for 1.24; fitted to the
  /// whole run, the law puts its floor at zero). Fitted to half a decay, the law measured a tenth
  /// of the whole run's bonus on the table's language runs too ("What is not reached yet").
  static let steeperDecayFactor = 2.0

  /// Lowers every loss row's 95% band to the projection with the decay still to come worth
  /// `steeperDecayFactor` times what the log measured (the 80% band halfway to it), when the
  /// projecting annealing fit set the prior on `C` aside. The points stay the fit's.
  static func holdSteeperDecay(_ result: ScheduleAnalysis, _ fit: AnnealingFit, in rows: inout Rows, _ forecast: inout Forecast) {
    let model = fit.model
    guard result.priorKept != nil, model.c > 0, let bonus = result.bonus?.value, bonus.isFinite, bonus >= 0 else { return }
    let areaNow = bonus / model.c
    let held = changeLossRows(&rows, &forecast) { estimate, step, runEnd in
      let curve = result.plan.curve(length: runEnd ?? step, from: result.schedule)
      guard let area = curve.areas(at: [step], lambda: model.lambda).s2.first, area.isFinite else { return false }
      let extra = (steeperDecayFactor - 1) * model.c * (area - areaNow)
      guard extra > 0, estimate.value.isFinite else { return false }
      let before = (estimate.ci95, estimate.ci80)
      if let band = estimate.ci95 { estimate.ci95 = min(band.lowerBound, max(0, estimate.value - extra))...band.upperBound }
      if let band = estimate.ci80 { estimate.ci80 = min(band.lowerBound, max(0, estimate.value - extra / 2))...band.upperBound }
      return before.0 != estimate.ci95 || before.1 != estimate.ci80
    }
    if held { forecast.bandHoldsSteeperDecay = true }
  }
}
