import Foundation

/// The decay shapes a logged rate is matched against, and where a decay ends.
extension LearningRateSchedule {
  /// `h(u)`: 1 at the start of the decay, 0 at its end.
  typealias Decay = @Sendable (Double) -> Double
  static let cosineDecay: Decay = { u in 0.5 * (1 + Foundation.cos(Double.pi * min(max(u, 0), 1))) }
  static let linearDecay: Decay = { u in 1 - min(max(u, 0), 1) }

  /// The shapes' fits try about 200 ends, each a pass over the knots it is given: this many knots
  /// place a decay's end and floor as well as the curve's 16,384 do (the rate is smooth between
  /// them; the decay's start is passed as a step, not read from a knot), at a quarter of the
  /// cost on a long log.
  static let shapeKnots = 4_096

  /// `indices` evenly thinned to at most `shapeKnots`, the first and the last kept.
  static func spread(_ indices: [Int]) -> [Int] {
    guard indices.count > shapeKnots else { return indices }
    let stride = Double(indices.count - 1) / Double(shapeKnots - 1)
    return (0..<shapeKnots).map { indices[Int((Double($0) * stride).rounded())] }
  }

  /// Where a decay that is still a straight line at its last logged rate reaches zero: the least
  /// squares line through the rates after `from`, when it falls, fits them within 1% of the peak,
  /// and still falls over the last tenth of them (a rate that has flattened at its floor has
  /// ended its decay); `nil` otherwise.
  static func straightDecayZero(_ steps: [Double], _ y: [Double], indices: [Int], from: Double) -> Double? {
    let decay = indices.filter { steps[$0] > from }
    guard decay.count >= 3 else { return nil }
    let n = Double(decay.count)
    let meanS = decay.reduce(0) { $0 + steps[$1] } / n
    let meanY = decay.reduce(0) { $0 + y[$1] } / n
    var sxy = 0.0
    var sxx = 0.0
    for i in decay {
      sxy += (steps[i] - meanS) * (y[i] - meanY)
      sxx += (steps[i] - meanS) * (steps[i] - meanS)
    }
    guard sxx > 0 else { return nil }
    let slope = sxy / sxx
    guard slope < 0 else { return nil }
    var squares = 0.0
    for i in decay {
      let r = y[i] - (meanY + slope * (steps[i] - meanS))
      squares += r * r
    }
    guard (squares / n).squareRoot() <= 0.01 else { return nil }
    let tail = decay.suffix(max(2, decay.count / 10))
    guard let first = tail.first, let last = tail.last, y[last] < y[first] - 1e-9 else { return nil }
    return meanS - meanY / slope
  }

  /// The inverse square root `√(τ/(s − warmup + τ))` nearest the rates after warm-up, over a
  /// grid of `τ` from a hundredth to a hundred times the decay so far, refined; `nil` when too
  /// few rates.
  static func inverseSqrtFit(_ steps: [Double], _ y: [Double], indices: [Int], warmup: Double) -> (rms: Double, timescale: Double)? {
    let decay = indices.filter { steps[$0] > warmup }
    guard decay.count >= 3 else { return nil }
    let span = max(steps[decay[decay.count - 1]] - warmup, 1)
    func rms(_ tau: Double) -> Double {
      var sum = 0.0
      for i in decay {
        let r = y[i] - (tau / (steps[i] - warmup + tau)).squareRoot()
        sum += r * r
      }
      return (sum / Double(decay.count)).squareRoot()
    }
    let grid = (0...160).map { span * Foundation.pow(10, -2 + 4 * Double($0) / 160) }
    let errors = grid.map(rms)
    guard let k = errors.indices.min(by: { errors[$0] < errors[$1] }) else { return nil }
    let (low, high) = (grid[max(k - 1, 0)], grid[min(k + 1, grid.count - 1)])
    let fine = (0...40).map { low * Foundation.pow(high / low, Double($0) / 40) }
    let best = fine.map { ($0, rms($0)) }.min { $0.1 < $1.1 } ?? (grid[k], errors[k])
    return (best.1, best.0)
  }

  /// The peak of a decay that began before the first logged rate: `y = a + b·h((s − start)/(end −
  /// start))` by least squares (`a ≥ 0`, `b > 0`) over a grid of ends like `fitDecay`'s, the peak
  /// `a + b` in units of the highest logged rate. The Hugging Face Trainer's defaults (no warm-up,
  /// a linear decay to zero) log their first rate after `logging_steps`, already below the peak:
  /// DNABERT-2's fine-tune, logged every 100 of 2,315 steps, read as a cosine to 55% of its
  /// "peak" ending at step 1,190, since only a cosine is flat at a start pinned to that rate.
  static func unseenPeakFit(_ steps: [Double], _ y: [Double], indices: [Int], start: Double, last: Double, shape: Decay)
    -> (rms: Double, end: Double, peak: Double)
  {
    func fit(end: Double) -> (rms: Double, end: Double, peak: Double) {
      let n = Double(indices.count)
      var (sh, shh, sy, shy) = (0.0, 0.0, 0.0, 0.0)
      for i in indices {
        let h = shape((steps[i] - start) / (end - start))
        sh += h
        shh += h * h
        sy += y[i]
        shy += h * y[i]
      }
      let determinant = n * shh - sh * sh
      var (a, b) = determinant > 1e-12 ? ((shh * sy - sh * shy) / determinant, (n * shy - sh * sy) / determinant) : (0, 0)
      if a < 0 || determinant <= 1e-12 { (a, b) = (0, shh > 0 ? shy / shh : 0) }
      guard b > 0 else { return (.infinity, end, 1) }
      var sum = 0.0
      for i in indices {
        let r = y[i] - (a + b * shape((steps[i] - start) / (end - start)))
        sum += r * r
      }
      return ((sum / n).squareRoot(), end, a + b)
    }
    let span = max(last - start, 1)
    let ends = [last] + (1...160).map { last + span * (Foundation.pow(20, Double($0) / 160) - 1) }
    let coarse = ends.indices.map { (fit(end: ends[$0]), $0) }.min { $0.0.rms < $1.0.rms }!
    let (low, high) = (ends[max(coarse.1 - 1, 0)], ends[min(coarse.1 + 1, ends.count - 1)])
    let fine = (0...40).map { fit(end: low + (high - low) * Double($0) / 40) }.min { $0.rms < $1.rms }!
    return fine.rms < coarse.0.rms ? fine : coarse.0
  }

  /// Least squares of `y = r + (1 − r)·h((s − start)/(end − start))` over a grid of planned ends
  /// from the last step to 20× the decay so far (50× with the floor `r` fixed at `floor`, since
  /// the end is then all the rates fit), with `r` in closed form for each, refined between the
  /// best end's neighbours: the grid's 2.5% steps put a cosine to zero cut at half 2% early.
  static func fitDecay(
    _ steps: [Double], _ y: [Double], indices: [Int], start: Double, last: Double, shape: Decay,
    ends given: [Double]? = nil, floor fixed: Double? = nil
  ) -> (rms: Double, end: Double, floor: Double) {
    func fit(end: Double) -> (rms: Double, end: Double, floor: Double) {
      var top = 0.0
      var bottom = 0.0
      for i in indices {
        let h = shape((steps[i] - start) / (end - start))
        top += (1 - h) * (y[i] - h)
        bottom += (1 - h) * (1 - h)
      }
      let floor = fixed ?? (bottom > 0 ? min(max(top / bottom, 0), 0.98) : 0)
      var sum = 0.0
      for i in indices {
        let h = shape((steps[i] - start) / (end - start))
        let r = y[i] - (floor + (1 - floor) * h)
        sum += r * r
      }
      return ((sum / Double(indices.count)).squareRoot(), end, floor)
    }
    func best(of ends: [Double]) -> (fit: (rms: Double, end: Double, floor: Double), index: Int) {
      var best = (fit: (rms: Double.infinity, end: ends[0], floor: 0.0), index: 0)
      for (index, end) in ends.enumerated() {
        let candidate = fit(end: end)
        if candidate.rms < best.fit.rms - 1e-12 { best = (candidate, index) }
      }
      return best
    }
    if let given { return best(of: given).fit }
    let span = max(last - start, 1)
    let reach = fixed == nil ? 20.0 : 50.0
    let ends = [last] + (1...120).map { last + span * (Foundation.pow(reach, Double($0) / 120) - 1) }
    let coarse = best(of: ends)
    let (low, high) = (ends[max(coarse.index - 1, 0)], ends[min(coarse.index + 1, ends.count - 1)])
    let fine = best(of: (0...40).map { low + (high - low) * Double($0) / 40 })
    return fine.fit.rms < coarse.fit.rms ? fine.fit : coarse.fit
  }
}
