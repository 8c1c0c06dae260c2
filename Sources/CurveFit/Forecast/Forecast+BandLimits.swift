import Foundation

extension Forecast {
  /// Bounds every projected band by what the log's end says: down as far as a log already
  /// below its fitted curve, open to zero for a loss with no floor in sight or one memorising
  /// its data, and no higher than where the run is now.
  static func limitBands(
    _ rows: inout Rows, _ forecast: inout Forecast, _ inputs: Inputs, positive: Bool,
    lastLosses: EndGap.Recent?, fittedPoints: Int
  ) {
    let lastStep = inputs.lastStep
    if let gap = forecast.endGap, gap.logged < gap.fitted {
      reachBelow(gap, &rows, &forecast, after: lastStep)
    }
    if positive, let reason = openBelowReason(rows, inputs, fittedPoints: fittedPoints) {
      forecast.openBelow = inputs.fit.model.alpha
      switch reason {
      case .steep: break
      case .scatter(let scatter): forecast.openBelowScatter = scatter
      case .memorising(let memorising): forecast.memorising = memorising
      case .epochDrops: forecast.openBelowEpochDrops = true
      }
      openBelow(&rows, &forecast, after: lastStep)
    }
    if let band = rows.current.ci95?.upperBound, band.isFinite, band > 0 {
      // Where the fitted curve ends below the log's last losses, where the run is is the log's
      // (their median lags a falling curve a little, which only loosens the cap), known to within
      // the median's own 95% error: a sparse log of a run gone flat puts its last five losses'
      // median as far from where the run is as the noise allows.
      let top = max(band, lastLosses.map { $0.median + Estimate.z95 * $0.standardError } ?? 0)
      forecast.ceiling = top
      cap(&rows, &forecast, above: top, after: lastStep)
      rows.doubling.lossChange.cap(above: max(0, top - rows.current.value))
    } else {
      // Without a band for the loss now, only a band reaching above it can reach above the
      // highest one fitted: the pass over the fitted points is skipped otherwise (10M-row logs).
      let bands = rows.projections.map(\.loss) + forecast.atSteps.filter { $0.withheld == nil }.map(\.loss)
        + [forecast.plannedEnd?.loss].compactMap { $0 }
      if bands.contains(where: { ($0.ci95?.upperBound ?? 0) > rows.current.value }), let ceiling = highestFittedLoss(inputs) {
        cap(&rows, &forecast, above: ceiling, after: -.infinity)
      }
    }
    if positive { floorDoubling(&rows) }
  }

  /// Why the bands of a log of positive losses open down to zero.
  enum OpenBelowReason {
    /// A power law steeper than `1/t` with no floor in sight.
    case steep
    /// A scatter about the fitted curve this large a share of the loss now, the floor unseen.
    case scatter(Double)
    case memorising(Memorising)
    /// The loss steps down at each epoch boundary.
    case epochDrops
  }

  /// The first reason that holds for the bands of a log of positive losses to open down to zero.
  ///
  /// No floor in sight: none fitted (the pure form), or one under a tenth of the loss now. The
  /// power law fitted beside the annealing law says so too when the annealing law projects: a
  /// schedule declared for a memorising fine-tune does not stop it falling (Whisper-small Hindi
  /// from a fifth, linear decay declared: 0.0336, band 0.0173–0.0942, end 0.0002).
  /// Or a loss whose scatter about the fitted curve is a sixth of the loss itself or more: a
  /// loss carried by the few examples not yet learnt, as a memorising fine-tune's is, which
  /// falls further than any law fitted so far says (a Whisper fine-tune outside `../shared`
  /// whose linear decay ends the run, from half: 0.0510, band 0.0356–0.0677, end 0.0137). On
  /// the logs of `make forecast` such scatter is 0.19–2.6 of the loss for the fine-tunes that
  /// memorise and the Conformer's spiky CTC loss from a tenth, and 0.08 or less for every
  /// other run and cut. A floor the scattered data cannot tell from zero (within two standard
  /// errors) is none in sight either.
  /// Or a training loss falling on past an evaluation loss that has stopped (`Memorising`).
  /// The loss stepping down at each epoch boundary is the health check's own sign of a model
  /// memorising the data each pass repeats (`EpochDrops`): the report said so while its bands
  /// stopped at the floor of a curve fitted to the passes so far.
  static func openBelowReason(_ rows: Rows, _ inputs: Inputs, fittedPoints: Int) -> OpenBelowReason? {
    let model = inputs.fit.model
    let floorless = model.lMin < 0.1 * rows.current.value
    let floorError = inputs.fit.parameterNames.firstIndex(of: "L_min").flatMap { inputs.fit.standardErrors?[$0] }
    let floorUnseen = floorless || floorError.map { model.lMin < 2 * $0 } == true
    let scatter = rows.current.value > 0 ? inputs.fit.rmse / rows.current.value : 0
    if floorless && model.alpha >= 1 { return .steep }
    if floorUnseen && scatter >= Self.memorisingScatter { return .scatter(scatter) }
    if let memorising = Memorising.check(
      inputs.series, lastStep: inputs.lastStep, excluded: inputs.excluded, fittedPoints: fittedPoints)
    {
      return .memorising(memorising)
    }
    if inputs.health.epochDrops != nil { return .epochDrops }
    return nil
  }

  /// Keeps the doubling effect's bands above the fall the 2× row allows: its lower end at most
  /// down to the bottom of the 2× band (zero without one), from the loss now. Calibrated on its
  /// own, a difference's band is additive and knows no floor: a noisy Whisper fine-tune at 0.0388
  /// printed "ΔL −0.0134 nats (95%: −0.095 to 0.0095)" beside a 2× band of 0.0004–0.0483.
  static func floorDoubling(_ rows: inout Rows) {
    let now = rows.current.value
    let twice = rows.projections.first { abs($0.step - rows.doubling.toStep) <= 1e-9 * max(1, $0.step) }?.loss
    var change = rows.doubling.lossChange
    if let band = change.ci95 {
      let floor = min(change.value, max(0, twice?.ci95?.lowerBound ?? 0) - now)
      if band.lowerBound < floor { change.ci95 = floor...max(floor, band.upperBound) }
    }
    if let band = change.ci80 {
      let floor = min(change.value, max(0, twice?.ci80?.lowerBound ?? twice?.ci95?.lowerBound ?? 0) - now)
      if band.lowerBound < floor { change.ci80 = floor...max(floor, band.upperBound) }
    }
    rows.doubling.lossChange = change
  }

  /// Lowers the bottom of every projected band past `after` by the end gap's ratio, when the
  /// log ends below the fitted curve.
  ///
  /// A fine-tune memorising its data falls faster than any law here: cut at half, a Whisper-small
  /// run was fitted by a curve ending at 0.0216 where its last losses sat at 0.0114, and the 2×
  /// band, 0.00036–0.028, stood above its end, 0.0002. The run is already that far below the
  /// curve, so the band's bottom goes as far again (0.00019).
  static func reachBelow(_ gap: EndGap, _ rows: inout Rows, _ forecast: inout Forecast, after lastStep: Double) {
    let factor = gap.logged / gap.fitted
    changeLossRows(&rows, &forecast, after: lastStep) { estimate, _, _ in
      estimate.lowerBottoms(by: factor)
      return true
    }
  }

  /// The scatter about the fitted curve, as a share of the loss now, from which a loss with no
  /// floor in sight is taken to be memorising its data (see where `openBelow` is set).
  static let memorisingScatter = 0.15

  /// Opens the bands of every projected step past `after` down to zero, and the doubling row
  /// down to the whole loss now.
  ///
  /// A power law steeper than `1/t` whose floor is out of sight (none, or under a tenth of the
  /// loss now) is a loss falling faster than the step grows: a fine-tune memorising its data,
  /// which goes on to fall by orders of magnitude more than any law fitted so far says (a
  /// Whisper fine-tune outside `../shared`, from a fifth of its 5,000 steps: projected 0.0178,
  /// band 0.0063–0.029, end 0.0002). How far is not in the log, so the bands say so instead of
  /// a bottom that misleads.
  static func openBelow(_ rows: inout Rows, _ forecast: inout Forecast, after lastStep: Double) {
    changeLossRows(&rows, &forecast, after: lastStep) { estimate, _, _ in
      estimate.openBelow()
      return true
    }
    // A target still ahead may then be reached at any step from now: a Whisper fine-tune whose
    // 2× band reached 0 gave 0.02 "not within this run: reached at step 98,055 (35,240–387,656)".
    if let (loss, outcome) = rows.target, case .reachable(var step) = outcome, step.value > lastStep {
      step.extendBelow(to: lastStep)
      rows.target = (loss, .reachable(step: step))
    }
    // Doubling the data is the 2× row as a change: it may take the whole loss now.
    guard rows.doubling.toStep > lastStep, rows.current.value > 0 else { return }
    let whole = -rows.current.value
    var change = rows.doubling.lossChange
    if let band = change.ci95 { change.ci95 = min(band.lowerBound, whole)...band.upperBound }
    if let band = change.ci80 { change.ci80 = min(band.lowerBound, whole)...band.upperBound }
    rows.doubling.lossChange = change
  }

  /// Caps the bands of every projected step past `after` at `ceiling`.
  ///
  /// The ceiling is the top of the band of the loss now: a run that goes on training under its
  /// own schedule, stretched, does not end above where it is. The shape error's log-normal
  /// upside otherwise printed that doubling the data might cost 0.15 nats (the example log),
  /// and bands up to 3.57 for a fine-tune at 0.06. On the table of `make forecast` 33 of 133
  /// upper ends came down (40 of 135 as fed) and no truth left its band; as fed the median
  /// half-width from a fifth went from 10.8% to 8.3%.
  static func cap(_ rows: inout Rows, _ forecast: inout Forecast, above ceiling: Double, after lastStep: Double) {
    changeLossRows(&rows, &forecast, after: lastStep) { estimate, _, _ in
      estimate.cap(above: ceiling)
      return true
    }
  }

  /// The highest loss the power law was fitted to (its points, or their log-spaced bin means on
  /// a long log), else the highest logged in the fitted range outside the steps left out: a run
  /// that goes on training is not projected above where its fitted curve started. Where the law
  /// does not describe the curve the shape error is large (`ShapeError.heldOut`), and a
  /// log-normal band of 500% per doubling would otherwise reach 10⁵ nats above a loss of 0.05.
  static func highestFittedLoss(_ inputs: Inputs) -> Double? {
    if let fitted = inputs.fit.state?.y.max() { return fitted }
    let series = inputs.series
    let low = series.steps.lowerIndex(atLeast: min(inputs.fitRange.lowerBound, inputs.annealingRange.lowerBound))
    let high = series.steps.upperIndex(atMost: inputs.lastStep)
    var highest: Double?
    FitPoints.forEachUsable(series, low..<max(low, high), inputs.excluded) { _, loss in
      highest = max(highest ?? loss, loss)
    }
    return highest
  }
}
