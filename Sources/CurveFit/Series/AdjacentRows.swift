/// Runs of rows logged at the same step one after another, folded into one row each.
enum AdjacentRows {
  /// Each run of equal adjacent steps as one row: the mean loss (NaN when any row's is: a
  /// micro-batch that overflowed spoils its step), and the mean of the finite gradient norms
  /// and learning rates.
  static func mean(
    steps: [Double], losses: [Double], gradNorms: [Double]?, learningRates: [Double]?
  ) -> (steps: [Double], losses: [Double], gradNorms: [Double]?, learningRates: [Double]?) {
    var out = (steps: [Double](), losses: [Double](), grads: [Double](), rates: [Double]())
    var start = 0
    while start < steps.count {
      var end = start + 1
      while end < steps.count, steps[end] == steps[start] { end += 1 }
      let rows = start..<end
      out.steps.append(steps[start])
      out.losses.append(rows.reduce(0) { $0 + losses[$1] } / Double(rows.count))
      if let gradNorms { out.grads.append(finiteMean(rows.map { gradNorms[$0] })) }
      if let learningRates { out.rates.append(finiteMean(rows.map { learningRates[$0] })) }
      start = end
    }
    return (out.steps, out.losses, gradNorms == nil ? nil : out.grads, learningRates == nil ? nil : out.rates)
  }

  private static func finiteMean(_ values: [Double]) -> Double {
    let finite = values.filter(\.isFinite)
    return finite.isEmpty ? .nan : finite.reduce(0, +) / Double(finite.count)
  }
}
