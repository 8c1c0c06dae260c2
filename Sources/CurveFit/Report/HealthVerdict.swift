/// The one-line health verdict every report opens with.
///
/// Most serious first: `diverged at step S`, then `plateau since step S`, then spikes; `healthy`
/// when nothing was found.
struct HealthVerdict {
  let findings: HealthFindings

  init(_ findings: HealthFindings) { self.findings = findings }

  var sentence: String {
    var parts: [String] = []
    if let divergence = findings.divergence {
      let verb = divergence.severity == .critical ? "diverged" : "diverging"
      parts.append("\(verb) at step \(NumberFormat.count(divergence.startStep))")
    }
    for plateau in findings.plateaus {
      parts.append(
        plateau.ongoing
          ? "plateau since step \(NumberFormat.count(plateau.startStep))"
          : "plateau at steps \(NumberFormat.count(plateau.startStep))–\(NumberFormat.count(plateau.endStep))")
    }
    let spikes = findings.spikes
    if !spikes.isEmpty {
      let recovered = spikes.filter { $0.recoveryStep != nil }.count
      let noun = spikes.count == 1 ? "spike" : "spikes"
      let state = recovered == spikes.count
        ? "recovered" : "\(spikes.count - recovered) not recovered"
      parts.append("\(spikes.count) \(noun) (\(state))")
    }
    return parts.isEmpty ? "healthy" : parts.joined(separator: " · ")
  }
}
