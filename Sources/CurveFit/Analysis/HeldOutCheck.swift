/// The evaluation loss logged beside a training loss, checked for overfitting.
///
/// A fine-tune's trainer state is opened to ask whether the model overfits, and its training
/// loss cannot say: the Whisper fine-tune's falls to 0.0002 (a plateau at its print's last digit)
/// while its evaluation loss climbs from 0.321 to 0.420. The report on the training loss opens its
/// verdict with the climb, and a note names the flag that gives the evaluation loss its own
/// report. A console log whose layout prints its evaluation loss on lines of its own is read
/// again for those lines: nanoGPT's Shakespeare demo, whose training loss falls to 0.81 while its
/// `val loss` climbs from 1.47 at step 1,750 to 1.71, read healthy.
public enum HeldOutCheck {
  /// `series` with the note `eval_loss overfits (see HEALTH); --metric eval_loss for its report`
  /// and the climb (`SeriesOrigin.heldOutOverfitting`) when the log at `path` has an evaluation
  /// loss beside it that climbs from its lowest, and with that loss's trend
  /// (`SeriesOrigin.heldOutTrend`) for the forecast; unchanged when the log has none or it
  /// cannot be read.
  public static func noting(
    _ series: LossSeries, path: String, reader: LogReader, options: LossCurveAnalysis.Options
  ) -> LossSeries {
    guard !ColumnSelection.namesEvaluation(series.origin.lossColumn),
      let name = series.origin.columns.first(where: ColumnSelection.looksLikeHeldOutLoss) ?? series.origin.heldOutLoss
    else { return series }
    var reader = reader
    reader.selection.lossColumn = name
    reader.computeDigest = false
    guard let heldOut = try? reader.read(path: path) else { return series }
    var noted = series
    noted.origin.heldOutTrend = HeldOutTrend(name: name, steps: heldOut.steps, losses: heldOut.losses)
    let finding = finding(on: heldOut, name: name, options: options)
    if let note = finding.note { noted.origin.notes.append(note) }
    noted.origin.heldOutOverfitting = finding.overfitting
    return noted
  }

  /// The note on the evaluation loss, and its climb when it overfits.
  static func finding(
    on heldOut: LossSeries, name: String, options: LossCurveAnalysis.Options
  ) -> (note: String?, overfitting: HeldOutOverfitting?) {
    // Only its verdict is read: no intervals, and the training loss's range and target are not its.
    var options = options
    options.bootstrapResamples = 0
    options.range = FitRange()
    options.target = nil
    options.totalSteps = nil
    options.atSteps = []
    let health: HealthFindings
    do throws(FitError) {
      health = try LossCurveAnalysis.run(heldOut, options: options).health
    } catch {
      guard let run = UnfittedRun.check(heldOut, options: options, error: error) else { return (nil, nil) }
      health = run.health
    }
    if health.divergence == nil, let best = health.bestEvaluation {
      // As the log writes it: the column is named, and read before any unit conversion.
      let shown = { (loss: Double) in NumberFormat.significant(loss, 3) }
      let note = "\(name): lowest \(shown(best.loss)) at \(health.axis.at(best.step)), none of the \(best.evaluationsSince) "
        + "evaluations since lower (the last \(shown(best.last))); --metric \(name) for its report"
      return (note, nil)
    }
    guard let divergence = health.divergence, divergence.firstNonFiniteStep == nil else { return (nil, nil) }
    let overfitting = HeldOutOverfitting(name: name, startStep: divergence.startStep, riseRatio: divergence.riseRatio)
    // The verdict opens with the climb (`HealthVerdict`); the note keeps only the way to its report.
    return ("\(name) overfits (see HEALTH); --metric \(name) for its report", overfitting)
  }
}
