extension LevenbergMarquardt {
  /// Stopping rules and damping controls. Defaults suit well-scaled problems of a few parameters.
  public struct Options: Sendable, Equatable {
    /// Attempted steps before giving up. Default 200; loss-curve fits need 5–30.
    public var maxIterations = 200
    /// Scale-free gradient test (cosine between `r` and each Jacobian column). Default 1e-10.
    public var gradientTolerance = 1e-10
    /// Relative cost change that counts as stalled. Default 1e-12; looser ends sooner but less
    /// precisely.
    public var costTolerance = 1e-12
    /// Relative step length that counts as negligible. Default 1e-12.
    public var stepTolerance = 1e-12
    /// Starting damping μ relative to the column scaling. Default 1e-3 (nearly Gauss–Newton).
    public var initialDamping = 1e-3
    /// Damping past which no useful step exists. Default 1e16.
    public var maxDamping = 1e16
    /// Solve each damped step from `JᵀJ` by Cholesky instead of a QR of `J` (LAPACK dgels).
    /// Default false. Squares the condition number, so only for well-conditioned problems started
    /// near their optimum (bootstrap refits), where it is several times cheaper per iteration.
    public var normalEquations = false

    public init() {}

    /// Checks every field, naming the first that is out of range.
    public func validate() throws(OptionsError) {
      if maxIterations < 1 { throw OptionsError("maxIterations", maxIterations, "≥ 1") }
      for (name, value) in [
        ("gradientTolerance", gradientTolerance), ("costTolerance", costTolerance),
        ("stepTolerance", stepTolerance), ("initialDamping", initialDamping),
        ("maxDamping", maxDamping),
      ] where !(value > 0 && value.isFinite) {
        throw OptionsError(name, value, "a positive finite number")
      }
    }
  }

  /// An option outside its documented range.
  public struct OptionsError: Error, CustomStringConvertible, Equatable {
    public let description: String
    init(_ name: String, _ value: some Numeric, _ expected: String) {
      description = "LevenbergMarquardt.Options.\(name) is \(value), expected \(expected)"
    }
  }
}
