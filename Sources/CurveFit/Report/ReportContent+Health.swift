import Foundation

extension ReportContent {
  var verdict: String { HealthVerdict(analysis.health, metric: analysis.series.origin.lossColumn).sentence }
  var spikeLines: [String] { HealthLines(health: analysis.health).spikeLines }
  var plateauLines: [String] { HealthLines(health: analysis.health, unit: report.unit).plateauLines }
  var divergenceLine: String? {
    HealthLines(health: analysis.health, metric: analysis.series.origin.lossColumn).divergenceLine
  }

  /// The memorising line (`EpochDrops`), or nil.
  var epochDrops: String? { analysis.health.epochDrops?.line(axis: axis) }

  /// The evaluation loss's lowest and the evaluations since (`BestEvaluation`), or nil.
  var bestEvaluation: String? { analysis.health.bestEvaluation?.line(axis: axis, unit: report.unit) }

  /// The line saying why NaNs the run went on from are no divergence (`SkippedNonFinite`), or nil.
  var skippedNonFinite: String? { analysis.health.skippedNonFinite?.line(axis: axis) }

  /// `404 spike points and 1,797 diverged points left out of the fit`, or nil.
  var leftOut: String? {
    let (spikes, divergence) = analysis.leftOut
    var parts: [String] = []
    // Points of an excursion that never rose above the loss before it stay out of the fit but
    // are no spike (`HealthCheck.rose`): with no spike reported, they are "points above the curve".
    let noun = analysis.health.spikes.isEmpty ? "points above the curve" : "spike points"
    if spikes > 0 { parts.append("\(NumberFormat.count(Double(spikes))) \(noun)") }
    if divergence > 0 { parts.append("\(NumberFormat.count(Double(divergence))) diverged points") }
    return parts.isEmpty ? nil : parts.joined(separator: " and ") + " left out of the fit"
  }
}

/// The event lines every report shows, from the findings alone (an unfitted run has no fit).
struct HealthLines {
  let health: HealthFindings
  /// The unit rates of change are shown in; a unit that is not a multiple of nats (ppl) keeps nats.
  var unit: LossUnit = .nats
  /// The metric's name: an evaluation loss that climbs is read as overfitting.
  var metric: String?

  /// One line per spike: `step 8,410  ×2.4 (z 11)  recovered by 8,470 · roll back to ≤ 8,300, skip ~170 batches`
  var spikeLines: [String] {
    health.spikes.map { spike in
      let axis = health.axis
      let recovery = spike.recoveryStep.map { "recovered by \(axis.bare($0))" } ?? "NOT recovered"
      let where_ = axis.at(spike.startStep)
      let size = "×\(NumberFormat.significant(spike.ratio, 2)) (z \(NumberFormat.significant(min(spike.z, 9999), 2)))"
      return where_.padding(toLength: max(where_.count, 14), withPad: " ", startingAt: 0)
        + size.padding(toLength: max(size.count, 14), withPad: " ", startingAt: 0) + recovery
        + " · roll back to ≤ \(axis.bare(spike.rollbackStep)),"
        + " skip ~\(NumberFormat.count(spike.batchesToSkip)) \(axis.skipped)"
        + gradientNote(spike)
    }
  }

  /// ` · grad norm z 14, 3 steps earlier` when the gradient spiked too.
  private func gradientNote(_ spike: Spike) -> String {
    guard let z = spike.gradNormZ, z >= 3 else { return "" }
    var note = " · grad norm z \(NumberFormat.significant(min(z, 9999), 2))"
    if let lead = spike.gradNormLeadSteps, lead > 0 { note += ", \(health.axis.amount(lead)) earlier" }
    return note
  }

  var plateauLines: [String] {
    health.plateaus.map { plateau in
      let span = plateau.ongoing ? "since \(health.axis.at(plateau.startStep))" : health.axis.span(plateau.startStep, plateau.endStep)
      let scale = unit.fromNats(1) - unit.fromNats(0)
      let linear = abs((unit.fromNats(2) - unit.fromNats(0)) - 2 * scale) < 1e-9 * max(1, abs(scale))
      let (factor, name) = linear ? (scale, unit.name) : (1, "nats")
      if let levels = plateau.notLearningLevels {
        return "\(span): not learning: the loss was \(NumberFormat.significant(unit.fromNats(levels.from), 4)) "
          + "at a tenth of the run and is \(NumberFormat.significant(unit.fromNats(levels.to), 4)) \(unit.name) at its end "
          + "(medians); check the learning rate, the data and the labels"
      }
      // A loss climbing inside a plateau is said to rise: "improving −0.10" read as a gain.
      let rate = health.axis.rateSpan
      let perSpan = factor * rate.length / 1000
      let improvement = perSpan * plateau.improvementPer1k
      let motion = improvement < 0
        ? "rising \(NumberFormat.significant(-improvement, 2))" : "improving \(NumberFormat.significant(improvement, 2))"
      var line = "\(span): \(motion) \(name) per \(rate.label)"
        + " where the trend before it expected \(NumberFormat.significant(perSpan * plateau.expectedPer1k, 2))"
      if plateau.explainedBySchedule {
        line += "; the learning rate is down to \(Int((100 * (plateau.learningRateFraction ?? 0)).rounded()))% of its peak:"
          + " an annealed end, not a stall"
      }
      return line
    }
  }

  var divergenceLine: String? {
    guard let divergence = health.divergence else { return nil }
    var text = "from \(health.axis.at(divergence.startStep)) (\(divergence.severity.rawValue))"
    if divergence.zeroLoss, let zeros = health.zeroLosses {
      return text + ": the loss fell to exactly 0 from \(NumberFormat.significant(zeros.levelBefore, 3)) and stayed there "
        + "(\(NumberFormat.count(Double(zeros.points))) points): a loss is not learned to 0 in one step; "
        + "a broken loss (fp16 overflow, every label masked) · roll back before \(health.axis.at(divergence.startStep))"
    }
    if divergence.riseRatio > 1 {
      text += ": loss ×\(NumberFormat.significant(divergence.riseRatio, 2)) over its baseline"
    }
    if let first = divergence.firstNonFiniteStep {
      text += "; non-finite from \(health.axis.at(first))"
        + " (\(NumberFormat.count(Double(divergence.nonFiniteCount))) points)"
    }
    // A held-out loss past its lowest is the model overfitting, not training blowing up: the
    // checkpoint to keep is the one at the low, and training itself needs no rollback.
    if divergence.firstNonFiniteStep == nil, let metric, ColumnSelection.namesEvaluation(metric) {
      return text + " · an evaluation loss past its lowest: the model overfits; keep the checkpoint nearest "
        + health.axis.at(divergence.startStep)
    }
    return text + " · roll back before \(health.axis.at(divergence.startStep))"
  }
}
