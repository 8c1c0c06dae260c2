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

  /// Lowers every loss row's 95% band, and the doubling row's, to the projection with the decay
  /// still to come worth `steeperDecayFactor` times what the log measured (the 80% band halfway
  /// to it), when the projecting annealing fit set the prior on `C` aside. The points stay the
  /// fit's.
  static func holdSteeperDecay(_ result: ScheduleAnalysis, _ fit: AnnealingFit, in rows: inout Rows, _ forecast: inout Forecast) {
    let model = fit.model
    guard result.prior?.conflictZ != nil, model.c > 0, let bonus = result.bonus?.value, bonus.isFinite, bonus >= 0
    else { return }
    let areaNow = bonus / model.c
    // The bonus beyond the law's of the decay between now and `step` of a run ending at `end`.
    func extra(at step: Double, ending end: Double) -> Double? {
      let curve = result.plan.curve(length: end, from: result.schedule)
      guard let area = curve.areas(at: [step], lambda: model.lambda).s2.first, area.isFinite else { return nil }
      let extra = (steeperDecayFactor - 1) * model.c * (area - areaNow)
      return extra > 0 ? extra : nil
    }
    var held = changeLossRows(&rows, &forecast) { estimate, step, runEnd in
      guard let extra = extra(at: step, ending: runEnd ?? step) else { return false }
      return lower(&estimate, by: extra, floor: 0)
    }
    // Doubling the data is the 2× run: its change reaches as far below.
    if let extra = extra(at: rows.doubling.toStep, ending: rows.doubling.toStep) {
      held = lower(&rows.doubling.lossChange, by: extra, floor: -.infinity) || held
    }
    if held { forecast.bandHoldsSteeperDecay = true }
  }

  /// Lowers the 95% band's bottom to `extra` below the value and the 80% band's to half that
  /// (never below `floor`); true when either moved.
  private static func lower(_ estimate: inout Estimate, by extra: Double, floor: Double) -> Bool {
    guard estimate.value.isFinite else { return false }
    let before = (estimate.ci95, estimate.ci80)
    if let band = estimate.ci95 { estimate.ci95 = min(band.lowerBound, max(floor, estimate.value - extra))...band.upperBound }
    if let band = estimate.ci80 { estimate.ci80 = min(band.lowerBound, max(floor, estimate.value - extra / 2))...band.upperBound }
    return before.0 != estimate.ci95 || before.1 != estimate.ci80
  }
}
