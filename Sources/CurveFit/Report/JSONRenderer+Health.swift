extension JSONRenderer {
  /// `"health"`: the verdict and counts; `"events"`: one object per event, `step` its start.
  func health(_ analysis: LossCurveAnalysis) -> [(String, JSONWriter.Value)] {
    health(analysis.health, metric: analysis.series.origin.lossColumn)
  }

  func health(_ findings: HealthFindings, metric: String? = nil) -> [(String, JSONWriter.Value)] {
    let summary: JSONWriter.Value = .object([
      ("verdict", .string(HealthVerdict(findings, metric: metric).sentence)),
      ("healthy", .bool(findings.events.isEmpty && findings.zeroLosses?.kind != .only)),
      ("spikes", .integer(findings.spikes.count)),
      ("plateaus", .integer(findings.plateaus.count)),
      ("diverged", .bool(findings.divergence != nil)),
      ("points_checked", .integer(findings.pointsChecked)),
      ("zero_losses", findings.zeroLosses.map(zeroLosses) ?? .null),
      ("epoch_drops", findings.epochDrops.map { drops in
        .object([
          ("steps_per_epoch", .number(drops.stepsPerEpoch)), ("boundaries", .integer(drops.boundaries)),
          ("boundary_ratio", .number(drops.boundaryRatio)), ("within_ratio", .number(drops.withinRatio)),
        ])
      } ?? .null),
      ("held_out_overfitting", findings.heldOutOverfitting.map { heldOut in
        .object([
          ("name", .string(heldOut.name)), ("step", .number(heldOut.startStep)),
          ("rise_ratio", .number(heldOut.riseRatio)),
        ])
      } ?? .null),
      ("best_evaluation", findings.bestEvaluation.map { best in
        .object([
          ("step", .number(best.step)), ("loss", .number(best.loss)),
          ("evaluations_since", .integer(best.evaluationsSince)), ("last", .number(best.last)),
        ])
      } ?? .null),
      ("non_finite_skipped", findings.skippedNonFinite.map { skipped in
        .object([
          ("count", .integer(skipped.count)), ("first_step", .number(skipped.firstStep)),
          ("last_step", .number(skipped.lastStep)), ("finite_after", .integer(skipped.finiteAfter)),
        ])
      } ?? .null),
    ])
    let heldOut = metric.map(ColumnSelection.namesEvaluation) ?? false
    return [("health", summary), ("events", .array(findings.events.map { event($0, heldOut: heldOut) }))]
  }

  private func event(_ anomaly: Anomaly, heldOut: Bool) -> JSONWriter.Value {
    switch anomaly {
    case .spike(let spike):
      .object([
        ("kind", .string("spike")),
        ("step", .number(spike.startStep)),
        ("peak_step", .number(spike.peakStep)),
        ("peak_loss", .number(spike.peakLoss)),
        ("baseline_loss", .number(spike.baselineLoss)),
        ("ratio", .number(spike.ratio)),
        ("z", .number(spike.z)),
        ("recovered", .bool(spike.recoveryStep != nil)),
        ("recovery_step", spike.recoveryStep.map { .number($0) } ?? .null),
        ("points", .integer(spike.points)),
        ("rollback_step", .number(spike.rollbackStep)),
        ("batches_to_skip", .number(spike.batchesToSkip)),
        ("grad_norm_z", spike.gradNormZ.map { .number($0) } ?? .null),
        ("grad_norm_lead_steps", spike.gradNormLeadSteps.map { .number($0) } ?? .null),
      ])
    case .plateau(let plateau):
      .object([
        ("kind", .string("plateau")),
        ("step", .number(plateau.startStep)),
        ("end_step", .number(plateau.endStep)),
        ("ongoing", .bool(plateau.ongoing)),
        ("improvement_per_1k", .number(plateau.improvementPer1k)),
        ("expected_per_1k", .number(plateau.expectedPer1k)),
        ("lr_fraction", plateau.learningRateFraction.map { .number($0) } ?? .null),
        ("explained_by_schedule", .bool(plateau.explainedBySchedule)),
        ("not_learning", .bool(plateau.notLearning)),
      ])
    case .divergence(let divergence):
      .object([
        ("kind", .string("divergence")),
        ("step", .number(divergence.startStep)),
        ("severity", .string(divergence.severity.rawValue)),
        ("rise_ratio", .number(divergence.riseRatio)),
        ("first_non_finite_step", divergence.firstNonFiniteStep.map { .number($0) } ?? .null),
        ("non_finite_count", .integer(divergence.nonFiniteCount)),
        ("no_finite_loss", .bool(divergence.noFiniteLoss)),
        // An evaluation loss climbing from its lowest: the model overfits (HealthVerdict).
        ("overfitting", .bool(heldOut && divergence.firstNonFiniteStep == nil && !divergence.zeroLoss)),
        ("zero_loss", .bool(divergence.zeroLoss)),
      ])
    }
  }

  /// `"zero_losses"`: losses of exactly 0 the detectors and fits left out (`ZeroLosses`).
  private func zeroLosses(_ zeros: ZeroLosses) -> JSONWriter.Value {
    .object([
      ("kind", .string(zeros.kind.rawValue)),
      ("first_step", .number(zeros.firstStep)),
      ("points", .integer(zeros.points)),
      ("left_out", .integer(zeros.leftOut)),
      ("level_before", .number(zeros.levelBefore)),
      ("resolution", zeros.resolution > 0 ? .number(zeros.resolution) : .null),
    ])
  }
}
