/// Why the curve that projects is fitted from the step it is (JSON `fit.from_step_reason`).
public enum FitStart: String, Sendable, Equatable {
  /// The default: the first 1% of the run skipped as a warm-up the log does not show.
  case skipFirstPercent = "skip_first_1_percent"
  /// `--from-step`.
  case fromStepFlag = "from_step_flag"
  /// The end of the warm-up the rates or the declared schedule show.
  case afterWarmup = "after_warmup"
  /// The log's steepest fall on log–log axes, for a log without rates (`EarlyTransient`).
  case afterSteepestFall = "after_steepest_fall"
  /// The last step change of the logged rate (`RateDrop`): a multi-step schedule's drop.
  case afterRateDrop = "after_rate_drop"
  /// The loss's last step down while the rate did not step (`LossDrop`).
  case afterLossDrop = "after_loss_drop"

  /// The words the FIT line adds to its scope; `nil` for the default and the flag.
  var note: String? {
    switch self {
    case .skipFirstPercent, .fromStepFlag: return nil
    case .afterWarmup: return "past the warm-up"
    case .afterSteepestFall: return "past the early drop"
    case .afterRateDrop: return "past the rate's last step down"
    case .afterLossDrop: return "past the loss's step down"
    }
  }
}
