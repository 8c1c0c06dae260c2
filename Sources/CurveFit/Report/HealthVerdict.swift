/// The one-line health verdict every report opens with.
///
/// Most serious first: `diverged at step S` (`overfitting since step S` for an evaluation loss),
/// then `plateau since step S` (or `not learning since step S`), then spikes; `healthy` when nothing was found. A plateau the decaying learning rate
/// explains follows as a note. An evaluation loss logged beside a training loss and climbing
/// from its lowest comes before it all: `eval_loss overfitting since step S (×1.5 from its
/// lowest) · training loss: healthy`.
struct HealthVerdict {
  let findings: HealthFindings
  /// The metric's name: an evaluation loss climbing from its lowest is overfitting.
  let metric: String?
  static let minimumPoints = 3

  init(_ findings: HealthFindings, metric: String? = nil) {
    self.findings = findings
    self.metric = metric
  }

  var sentence: String {
    let axis = findings.axis
    var parts: [String] = []
    if let divergence = findings.divergence {
      if divergence.firstNonFiniteStep == nil, !divergence.zeroLoss, let metric, ColumnSelection.namesEvaluation(metric) {
        parts.append("overfitting since \(axis.at(divergence.startStep))")
      } else {
        let verb = divergence.severity == .critical ? "diverged" : "diverging"
        let kind = divergence.noFiniteLoss ? " (no finite loss)" : divergence.zeroLoss ? " (loss fell to exactly 0)" : ""
        parts.append("\(verb) at \(axis.at(divergence.startStep))" + kind)
      }
    }
    var annealed: [String] = []
    for plateau in findings.plateaus {
      if plateau.explainedBySchedule {
        let percent = Int((100 * (plateau.learningRateFraction ?? 0)).rounded())
        // A flat stretch the log has left again is not "flat since" its start.
        let when = plateau.ongoing
          ? "since \(axis.at(plateau.startStep))" : "at \(axis.span(plateau.startStep, plateau.endStep))"
        annealed.append("flat \(when) as the learning rate decays to \(percent)% of its peak")
        continue
      }
      parts.append(
        plateau.notLearning
          ? "not learning since \(axis.at(plateau.startStep))"
          : plateau.ongoing
            ? "plateau since \(axis.at(plateau.startStep))"
            : "plateau at \(axis.span(plateau.startStep, plateau.endStep))")
    }
    let spikes = findings.spikes
    if !spikes.isEmpty {
      let recovered = spikes.filter { $0.recoveryStep != nil }.count
      let noun = spikes.count == 1 ? "spike" : "spikes"
      let state = recovered == spikes.count
        ? "recovered" : "\(spikes.count - recovered) not recovered"
      parts.append("\(spikes.count) \(noun) (\(state))")
    }
    if parts.isEmpty, findings.zeroLosses?.kind == .only {
      parts.append("no loss above 0 (every finite loss is exactly 0)")
    }
    // One or two points cannot show a spike or a trend: "healthy" would be a guess.
    if parts.isEmpty, findings.pointsChecked < Self.minimumPoints {
      parts.append("too short to judge (\(findings.pointsChecked) finite point\(findings.pointsChecked == 1 ? "" : "s"))")
    }
    if parts.isEmpty { parts.append("healthy") }
    if let skipped = findings.skippedNonFinite { annealed.append(skipped.verdictPart(axis: axis)) }
    let sentence = (parts + annealed).joined(separator: " · ")
    // The evaluation loss beside it overfitting is what a fine-tune's report is opened for: first,
    // and the training loss's own verdict named as its.
    guard let heldOut = findings.heldOutOverfitting else { return sentence }
    return "\(heldOut.name) \(heldOut.phrase(axis: axis)) · training loss: \(sentence)"
  }
}
