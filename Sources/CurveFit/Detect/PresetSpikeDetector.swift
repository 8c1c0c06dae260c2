/// The spike rules real trainers use, so users can see what their framework would have done.
///
/// Each rule looks at raw losses with trailing windows kept as running sums (O(1) per point);
/// flagged points closer than `mergeGap` form one event.
struct PresetSpikeDetector {
  let rule: SpikeRule
  let options: HealthOptions

  func spikes(residuals: Residuals, series: LossSeries) -> ([Spike], [Range<Int>]) {
    // The rules see finite losses only, in order; `position` maps back to residual positions.
    let position = residuals.values.indices.filter { residuals.values[$0].isFinite }
    let y = position.map { residuals.loss($0) }
    let steps = position.map { residuals.step($0) }
    let (flags, baseline, score) = flagged(y)
    var spikes: [Spike] = []
    var positions: [Range<Int>] = []
    var k = 0
    let helper = SpikeDetector(options: options)
    while k < y.count {
      guard flags[k] else { k += 1; continue }
      let start = k
      var last = k
      var probe = k + 1
      while probe < y.count, probe - last <= options.mergeGap {
        if flags[probe] { last = probe }
        probe += 1
      }
      let recovery = last + 1 < y.count ? last + 1 : nil
      let peak = (start...last).max { y[$0] < y[$1] } ?? start
      positions.append(position[start]..<(position[last] + 1))
      let startStep = steps[start]
      let rollback = helper.rollbackStep(before: startStep, series: series)
      let resume = recovery.map { steps[$0] } ?? steps[last]
      spikes.append(
        Spike(
          startStep: startStep, peakStep: steps[peak], peakLoss: y[peak],
          baselineLoss: baseline[start], ratio: Residuals.rise(y[peak], over: baseline[start]), z: score[peak],
          recoveryStep: recovery.map { steps[$0] }, points: last - start + 1,
          rollbackStep: rollback, batchesToSkip: max(0, resume - rollback)))
      k = last + 1
    }
    return (spikes, positions)
  }

  /// Per point: flagged or not, the rule's baseline (running mean), and its score.
  private func flagged(_ y: [Double]) -> ([Bool], [Double], [Double]) {
    let n = y.count
    var flags = [Bool](repeating: false, count: n)
    var baseline = [Double](repeating: .nan, count: n)
    var score = [Double](repeating: 0, count: n)
    let window: Int
    switch rule {
    case .llmc, .olmo: window = 128
    case .foundry: window = max(100, n / 20)
    case .lightning: window = 10
    case .robust, .megatron: window = 1
    }
    var sum = 0.0
    var squares = 0.0
    var count = 0
    var largest = -Double.infinity
    var consecutive = 0
    for k in 0..<n {
      let value = y[k]
      let mean = count > 0 ? sum / Double(count) : value
      let variance = count > 1 ? max(0, squares / Double(count) - mean * mean) : 0
      let deviation = variance.squareRoot()
      baseline[k] = rule == .megatron ? largest : mean
      let z = deviation > 0 ? (value - mean) / deviation : 0
      score[k] = z
      switch rule {
      case .llmc: flags[k] = count >= window && z > 3
      case .olmo: flags[k] = count >= window && value > mean + 6 * deviation
      case .foundry:
        consecutive = count > 0 && value >= 2 * mean ? consecutive + 1 : 0
        if consecutive > 4 { for back in (k - consecutive + 1)...k { flags[back] = true } }
      case .lightning:
        flags[k] = count >= window && abs(value - mean) > 2.0 * abs(mean)
      case .megatron:
        flags[k] = largest.isFinite && value > 10 * largest
        largest = max(largest, value)
      case .robust: break
      }
      if rule != .megatron {
        sum += value
        squares += value * value
        count += 1
        if count > window {
          let old = y[k - window]
          sum -= old
          squares -= old * old
          count -= 1
        }
      }
    }
    return (flags, baseline, score)
  }
}
