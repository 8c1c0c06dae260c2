import Dispatch

extension LossCurveAnalysis {
  /// Fits every power-law form on the same points, with its held-out backtest and its
  /// rolling-origin misses, on all cores: the candidates `ModelChoice` picks from.
  ///
  /// `powerFit`, when given, is the plain power law already fitted on these points.
  static func competeForms(
    _ series: LossSeries, fitter: PowerLawFitter, range: ClosedRange<Double>, excluding excluded: StepRanges,
    sums: LogBinnedSums?, heldOut: Backtest.HeldOut?, lastKept: Double, powerFit: PowerLawFit?
  ) -> (candidates: [PowerLaw.Form: (fit: PowerLawFit, backtest: Backtest?)], rolling: [PowerLaw.Form: [RollingOrigin.Miss]]) {
    let forms = PowerLaw.Form.allCases
    var results = [(fit: PowerLawFit, backtest: Backtest?, rolling: [RollingOrigin.Miss])?](repeating: nil, count: forms.count)
    results.withUnsafeMutableBufferPointer { buffer in
      nonisolated(unsafe) let slots = buffer
      DispatchQueue.concurrentPerform(iterations: forms.count) { index in
        let form = forms[index]
        var formFitter = fitter
        formFitter.form = form
        let formFit: PowerLawFit
        if form == .power, let powerFit {
          formFit = powerFit
        } else if let candidate = try? formFitter.fit(series, excluding: excluded, sums: sums) {
          formFit = candidate
        } else {
          return
        }
        let backtest = Backtest.run(series, fitter: formFitter, excluding: excluded, heldOut: heldOut, sums: sums)
        let rolling = RollingOrigin.powerLawErrors(
          series, fitter: formFitter, range: range, lastStep: lastKept, excluding: excluded, sums: sums)
        slots[index] = (formFit, backtest, rolling)
      }
    }
    var candidates: [PowerLaw.Form: (fit: PowerLawFit, backtest: Backtest?)] = [:]
    var rolling: [PowerLaw.Form: [RollingOrigin.Miss]] = [:]
    for (index, form) in forms.enumerated() {
      if let result = results[index] {
        candidates[form] = (result.fit, result.backtest)
        rolling[form] = result.rolling
      }
    }
    return (candidates, rolling)
  }
}
