import LeastSquares

/// A fitted model with its uncertainty, goodness of fit and the reasons to doubt it.
///
/// `converged` is the one flag a script should read: it is true only when the solver met a
/// convergence criterion, the covariance is usable, and no parameter is pinned to a bound.
/// Otherwise `warnings` says why, in plain sentences.
public struct FitResult<Model: Sendable>: Sendable {
  public var model: Model
  /// Parameter names, in the order of `standardErrors` and `covariance`.
  public var parameterNames: [String]
  /// One standard error per parameter, `nil` when the covariance cannot be trusted.
  public var standardErrors: [Double]?
  /// The parameter covariance in the model's own parametrisation, `nil` when untrusted.
  public var covariance: Matrix?
  /// Root-mean-square residual over the points fitted, in the data's units.
  public var rmse: Double
  /// Coefficient of determination `1 − SSR/SST` over the points fitted.
  public var r2: Double
  public var iterations: Int
  public var termination: TerminationReason
  /// Condition number of the Jacobian at the solution.
  public var conditionNumber: Double
  public var rank: Int
  /// Names of parameters that ended on a bound.
  public var parametersAtBound: [String]
  public var warnings: [String]
  /// Points the fit used (after range, non-finite and exclusion filters), and whether they were
  /// binned into `fittedPoints` weighted means first.
  public var pointsUsed: Int
  public var fittedPoints: Int
  /// The solver's view of the fit, for bootstrap refits and backtests.
  var state: FitState?

  public var converged: Bool {
    termination.isConvergence && standardErrors != nil && parametersAtBound.isEmpty
  }
}

public typealias PowerLawFit = FitResult<PowerLaw>
