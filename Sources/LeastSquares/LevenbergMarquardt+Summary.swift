extension LevenbergMarquardt {
  /// What the iteration found and why it stopped. Non-convergence is a result, not an error.
  public struct Summary: Sendable {
    /// The final parameters (always inside the bounds).
    public var parameters: [Double]
    public var reason: TerminationReason
    /// Steps attempted, accepted or not.
    public var iterations: Int
    /// `½‖r‖²` at the start and at the end.
    public var initialCost: Double
    public var finalCost: Double
    /// Residuals and Jacobian at `parameters`, for covariance and diagnostics.
    public var residuals: [Double]
    public var jacobian: Matrix
    /// Which parameters ended on a bound.
    public var atBound: [Bool]

    public var converged: Bool { reason.isConvergence }

    /// A plain sentence: "converged in 7 iterations: the cost stopped decreasing".
    public var message: String {
      let verb = converged ? "converged" : "did not converge"
      return "\(verb) after \(iterations) iterations: \(reason.sentence)"
    }
  }
}
