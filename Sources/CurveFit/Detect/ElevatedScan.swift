/// One pass over the residuals that finds every stretch where the loss rose above its baseline.
///
/// A stretch opens at a point with robust z ≥ `spikeZ` (and ratio ≥ `spikeMinRatio`), and closes
/// at the first point back below `recoveryZ`. While it is open the baseline is frozen, so the
/// anomaly cannot teach the filter that it is normal. A stretch that opens again within
/// `mergeGap` points of a recovery continues it, unless the loss was back near its baseline
/// (`calmPoints` in a row within `calmZ`) just before: two excursions with healthy points
/// between are two events, however sparse the log. Linear in the number of points.
struct ElevatedScan {
  struct Segment {
    /// Positions in the residuals: first elevated point, highest point, and the recovery point
    /// (the first back within noise), `nil` when the log ends first.
    var start: Int
    var peak: Int
    var peakZ: Double
    var recovery: Int?
    /// Last position inside the stretch.
    var end: Int
    /// The baseline frozen when the stretch opened.
    var level: Double
    var scale: Double
    /// Closed because it stayed flat and high: a new level rather than a spike.
    var levelShift = false
    /// The gradient norm's highest z over the lookback when the stretch opened, and its position.
    var gradient: (z: Double, position: Int)?
  }

  let segments: [Segment]

  init(_ residuals: Residuals, options: HealthOptions, gradient: GradNormSignal? = nil) {
    var gradient = gradient
    var found: [Segment] = []
    let values = residuals.values
    guard values.count > 3, values.contains(where: \.isFinite) else {
      segments = []
      return
    }
    var seed: [Double] = []
    for value in values where value.isFinite {
      seed.append(value)
      if seed.count == 50 { break }
    }
    var baseline = RobustBaseline(seed: seed, span: options.baselineSpan)
    let lowestThreshold = min(options.spikeZ, GradNormSignal.supportedZ(options))
    var open: Segment?
    var rise: RiseTracker?
    // Points in a row near the baseline, up to the one before this.
    var calm = 0
    for k in values.indices {
      gradient?.advance(to: k)
      guard values[k].isFinite else { continue }
      let z = baseline.z(values[k])
      let calmBefore = calm
      calm = z < Self.calmZ ? calm + 1 : 0
      if var segment = open {
        if z > segment.peakZ {
          segment.peak = k
          segment.peakZ = z
        }
        if z < options.recoveryZ || residuals.ratio(at: k, over: segment.level) < options.recoveryRatio {
          segment.recovery = k
          segment.end = k - 1
          found.append(segment)
          open = nil
          baseline.skip()
          baseline.update(values[k])
        } else {
          segment.end = k
          open = segment
          if k - segment.start >= options.maxSpikePoints {
            if rise?.start != segment.start { rise = RiseTracker(start: segment.start) }
          }
          if k - segment.start >= options.maxSpikePoints, rise?.isRising(through: k, values, scale: segment.scale) == false {
            var segment = segment
            // Elevated and flat for this long: the loss moved to a new level rather than
            // spiking. Close the event unrecovered and learn the new level.
            segment.levelShift = true
            found.append(segment)
            open = nil
            baseline.restart(at: values[k])
          }
        }
        continue
      }
      // Below both thresholds, the common case, the point only teaches the baseline: the ratio
      // (an exp) and the gradient are asked for only past them.
      guard z >= lowestThreshold else {
        baseline.update(values[k])
        continue
      }
      let recent = z >= GradNormSignal.supportedZ(options)
        ? gradient?.recent(at: k, notBefore: (found.last?.recovery).map { $0 + 1 } ?? 0) : nil
      let backed = (recent?.z ?? -.infinity) >= options.spikeZ
      let threshold = backed ? GradNormSignal.supportedZ(options) : options.spikeZ
      if z >= threshold, residuals.ratio(at: k, over: baseline.level) >= options.spikeMinRatio {
        if var previous = found.last, let recovery = previous.recovery,
          k - recovery < options.mergeGap, calmBefore < Self.calmPoints
        {
          // Back in noise only briefly: the same event.
          found.removeLast()
          previous.recovery = nil
          previous.end = k
          if z > previous.peakZ { (previous.peak, previous.peakZ) = (k, z) }
          open = previous
          continue
        }
        // Include the rise: earlier points already above the recovery level and climbing into
        // the spike belong to it; a bump before a healthy dip does not.
        var start = k
        while start > 0, values[start - 1].isFinite, baseline.z(values[start - 1]) >= options.recoveryZ,
          values[start - 1] < values[start], k - start < options.mergeGap
        {
          start -= 1
        }
        open = Segment(
          start: start, peak: k, peakZ: z, recovery: nil, end: k, level: baseline.level,
          scale: baseline.scale, gradient: recent.flatMap { $0.z.isFinite ? $0 : nil })
      } else {
        baseline.update(values[k])
      }
    }
    if let open { found.append(open) }
    segments = found
  }

  /// A loss wobbling about its recovery level between two excursions keeps them one event;
  /// this many points in a row within `calmZ` of the baseline make them two.
  static let calmPoints = 2
  static let calmZ = 3.0

  /// Higher in the last quarter of the stretch than in its first, by more than the noise.
  static func isRising(_ segment: Segment, _ values: [Double]) -> Bool {
    let stretch = values[segment.start...segment.end].filter(\.isFinite)
    let quarter = max(1, stretch.count / 4)
    let early = stretch.prefix(quarter).reduce(0, +) / Double(quarter)
    let late = stretch.suffix(quarter).reduce(0, +) / Double(quarter)
    return late > early + segment.scale
  }
}
