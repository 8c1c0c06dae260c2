extension LossCurveAnalysis {
  /// What the detect ↔ fit alternation leaves: the health findings and the points the fits use.
  struct DetectionPasses {
    var health: HealthFindings
    /// Steps left out of the fits (spikes and divergence, unless kept).
    var excluded: StepRanges
    var sums: LogBinnedSums?
    /// Left out after the first pass, and the power law fitted without them.
    var firstExcluded: StepRanges
    var secondFit: PowerLawFit
    /// The anomalies covered so much of the run that the fits keep them.
    var anomaliesKept: Bool
  }

  /// Detection looks at the loss relative to the fitted trend, and the fit should not see the
  /// anomalies, so the two alternate: fit everything, detect, refit without what was found,
  /// detect again against the cleaner trend, and refit if that changed the set left out.
  static func detectAndFit(
    _ series: LossSeries, fitter: PowerLawFitter, range: ClosedRange<Double>, options: Options
  ) throws(FitError) -> DetectionPasses {
    let check = HealthCheck(options: options.health, detector: options.detector)
    // Fine bins are built once per set of exclusions and shared by every fit that uses it.
    let allSums = fitter.binnedSums(series, excluding: .none)
    let firstFit = try fitter.fit(series, excluding: .none, sums: allSums)
    let firstTrend = fitter.robustTrend(series, sums: allSums) ?? firstFit.model
    // Smoothing is for the detectors and the eye; the fits see the raw losses, which the EMA
    // would drag behind the curve. The detectors see the residual smoothed (against each pass's
    // trend), not the raw EMA, whose lag behind the early drop would read as a spike.
    let watch = { (trend: PowerLaw) -> LossSeries in
      options.smoothing > 0 ? series.smoothedAgainst(trend.callAsFunction, weight: options.smoothing) : series
    }
    let watched = watch(firstTrend)
    // The second pass overwrites the first's residuals rather than faulting in fresh pages.
    var residualStorage: [Double] = []
    let first = check.run(
      watched, fromStep: range.lowerBound, trend: firstTrend.callAsFunction,
      trendFitter: { _ in nil }, detectPlateaus: false, useGradient: false, scratch: &residualStorage)
    // Anomalies that leave too few points to fit (a run that fails early and never recovers)
    // stay in the fit, with a warning, rather than leaving nothing to fit. Leaving anomalies out
    // of the fine bins costs the anomalies' points, not another pass over the rows.
    let fits = { (excluded: StepRanges) -> (StepRanges, LogBinnedSums?)? in
      let sums = excluded.isEmpty ? allSums : allSums?.removing(excluded, from: series)
      return (try? fitter.collect(series, excluding: excluded, sums: sums)) == nil ? nil : (excluded, sums)
    }
    let (firstExcluded, firstSums) = fits(excluded(first, keepSpikes: options.keepSpikes)) ?? (.none, allSums)
    let secondFit = firstExcluded.isEmpty
      ? firstFit : try fitter.fit(series, excluding: firstExcluded, sums: firstSums)
    let health = check.run(
      watch(secondFit.model), fromStep: range.lowerBound, trend: secondFit.model.callAsFunction,
      trendFitter: trendFitter(series, fitter, excluding: firstExcluded, sums: firstSums),
      scratch: &residualStorage)
    residualStorage = []
    let detected = excluded(health, keepSpikes: options.keepSpikes)
    let kept = detected == firstExcluded ? (firstExcluded, firstSums) : fits(detected)
    let anomaliesKept = kept == nil
    let (finalExcluded, finalSums) = kept ?? (.none, allSums)
    return DetectionPasses(
      health: health, excluded: finalExcluded, sums: finalSums, firstExcluded: firstExcluded,
      secondFit: secondFit, anomaliesKept: anomaliesKept)
  }
}
