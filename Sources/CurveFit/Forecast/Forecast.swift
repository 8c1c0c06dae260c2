/// The one forecast of a run: which law projects and why, its error per doubling of reach,
/// and the numbers the other projection rows do not cover (the planned end, `--at-step`).
///
/// Built once by `LossCurveAnalysis.run` after the fits; every projected number of the
/// analysis (`current`, `projections`, `doubling`, `target`) carries calibrated intervals
/// from it, with the noise-only ones kept in `ci95Noise`/`ci80Noise`. Renderers and plots read it.
public struct Forecast: Sendable {
  /// The law that makes the projections.
  public enum Law: String, Sendable {
    case power, pure, shifted, annealing
  }

  public var law: Law
  /// The extrapolation error the intervals carry (docs/forecasting.md).
  public var shapeError: ShapeError
  /// The stretch of every projected band for a fit from few points (Student's t over z).
  var fewPoints: FewPoints?
  /// The loss at the run's planned last step, under its own schedule.
  public var plannedEnd: PlannedEnd?
  /// `--at-step`: the projected loss at each step asked for, in ascending order.
  public var atSteps: [Projection] = []
  /// With `--target` and a planned end: the first step of this run at which the projected
  /// loss reaches the target, or `nil` when the run ends above it.
  public var targetWithinRun: Double?
  /// Why no projection is printed as a number (an unreliable fit, a diverged run, a loss gone
  /// flat), or `nil` when the projections stand.
  public var withheld: String?
  /// With `--target` and a withheld forecast: the first logged step at which the median of five
  /// neighbouring kept losses is at or below the target (the run's own losses reached it, before
  /// it diverged or stalled), or `nil` when they never did.
  public var targetLogged: Double?
  /// True when a 95% interval was widened to hold the plain power law's projection, which the
  /// data could not rule out though another form was chosen over it.
  public var bandHoldsPlainPowerLaw = false
  /// True when the annealing law set its prior on `C` aside and the intervals were widened to
  /// hold the projections of the fit that keeps it.
  public var bandHoldsPriorKept = false
  /// The bands reach down to the decay still to come worth twice the log's measure
  /// (`holdSteeperDecay`): the prior on `C` was set aside.
  public var bandHoldsSteeperDecay = false
  /// True when the annealing law projects though its fit is not reliable (asked for by a
  /// declared schedule or `--model annealing`, a parameter on its bound) and the intervals were
  /// widened to hold the power law's.
  public var bandHoldsPowerLaw = false
  /// The start of a plateau the log ends in, when the annealing law projects through it (the
  /// rate still has to decay); `nil` otherwise.
  public var flatSince: Double?
  /// The fitted exponent when the bands are open down to zero: a power law steeper than `1/t`
  /// with no floor in sight (none fitted, or under a tenth of the loss now), whose loss falls
  /// faster than the step grows, or a loss scattering as widely as `openBelowScatter` says;
  /// `nil` otherwise.
  public var openBelow: Double?
  /// The fit's scatter as a share of the loss now, when that, not a steep exponent, opened the
  /// bands (`Forecast.memorisingScatter`); `nil` otherwise.
  public var openBelowScatter: Double?
  /// The training loss falling on after the evaluation loss beside it stopped, when that opened
  /// the bands; `nil` otherwise.
  public var memorising: Memorising?
  /// True when the loss stepping down at each epoch boundary (`HealthFindings.epochDrops`)
  /// opened the bands.
  public var openBelowEpochDrops = false
  /// YOLO's mosaic augmentation closing before the planned end, which the bands from it reach
  /// below for (`MosaicClose`).
  public var mosaicClose: MosaicClose?
  /// The fitted loss now against the log's last losses, when the law does not follow them.
  public var endGap: EndGap?
  /// The fitted curve's loss at the last step against the log's, when they are apart by more
  /// than the noise and 3% but within the 10% of `endGap` (`EndGap.misfit`): said, not acted on.
  public var endMisfit: EndGap?
  /// The top of every band of a step past the last: the top of the band of the loss now, or
  /// the median of the log's last losses when higher (a run that trains on does not end above
  /// where it is); `nil` when the loss now has no band.
  public var ceiling: Double?

  /// Where the run's planned length came from.
  public enum EndSource: String, Sendable {
    case totalSteps = "--total-steps"
    /// The length the log records: a trainer state's `max_steps`, llm.c's `step N/T`.
    case log
    case schedule
  }

  /// The loss of this run at its planned last step.
  public struct PlannedEnd: Sendable {
    public var step: Double
    public var loss: Estimate
    public var source: EndSource
  }

  /// True when the intervals' width comes mostly from the shape error rather than the noise.
  public func shapeDominates(_ estimate: Estimate) -> Bool {
    guard let wide = estimate.ci95 else { return false }
    guard let noise = estimate.ci95Noise else { return true }
    return (noise.upperBound - noise.lowerBound) < 0.5 * (wide.upperBound - wide.lowerBound)
  }
}
