/// Why the Levenberg–Marquardt iteration stopped.
///
/// The first four cases are convergence; the rest mean the result should not be trusted.
public enum TerminationReason: String, Sendable, Equatable {
  /// `‖r‖² = 0` to machine precision: the model fits the data exactly.
  case zeroResidual = "zero_residual"
  /// Projected gradient small: `maxⱼ |(Jᵀr)ⱼ| / (‖Jⱼ‖·‖r‖) ≤ gradientTolerance`.
  case gradientTolerance = "gradient_tolerance"
  /// Cost stalled: actual and predicted reductions both `≤ costTolerance · cost`.
  case costTolerance = "cost_tolerance"
  /// Step negligible: `‖δ‖ ≤ stepTolerance · (stepTolerance + ‖p‖)`.
  case stepTolerance = "step_tolerance"
  /// `maxIterations` accepted or rejected steps were taken without meeting a criterion.
  case maxIterations = "max_iterations"
  /// The damping grew past `maxDamping`: no step reduces the cost (a flat or broken model).
  case dampingExhausted = "damping_exhausted"
  /// The starting point gives NaN or infinite residuals.
  case nonFiniteStart = "non_finite_start"
  /// LAPACK could not solve a damped step (it held NaN or infinity).
  case linearSolveFailed = "linear_solve_failed"

  /// Whether the reason counts as convergence.
  public var isConvergence: Bool {
    switch self {
    case .zeroResidual, .gradientTolerance, .costTolerance, .stepTolerance: true
    default: false
    }
  }

  /// A plain sentence for reports.
  public var sentence: String {
    switch self {
    case .zeroResidual: "the model fits the data exactly"
    case .gradientTolerance: "the gradient vanished (a stationary point)"
    case .costTolerance: "the cost stopped decreasing"
    case .stepTolerance: "the parameter steps became negligible"
    case .maxIterations: "the iteration limit was reached before convergence"
    case .dampingExhausted: "no step could reduce the cost further"
    case .nonFiniteStart: "the starting point gives non-finite residuals"
    case .linearSolveFailed: "a damped linear solve failed"
    }
  }
}
