import Testing

@testable import CurveFit

/// A plateau the decaying rate explains says where it was: "since" only while it lasts.
@Suite struct AnnealedPlateauVerdictTests {
  static func findings(ongoing: Bool) -> HealthFindings {
    let plateau = Plateau(
      startStep: 14_717, endStep: 16_652, ongoing: ongoing, improvementPer1k: -3.5, expectedPer1k: 8.3,
      learningRateFraction: 0.06, learningRateFractionAtStart: 0.3)
    return HealthFindings(
      events: [.plateau(plateau)], spikeSteps: .none, divergenceSteps: .none, spikePoints: 0, divergencePoints: 0,
      pointsChecked: 19_560)
  }

  @Test func anEndedAnnealedPlateauGivesItsSpan() {
    let sentence = HealthVerdict(Self.findings(ongoing: false)).sentence
    #expect(sentence == "healthy · flat at steps 14,717–16,652 as the learning rate decays to 6% of its peak", "\(sentence)")
  }

  @Test func anOngoingAnnealedPlateauSaysSince() {
    let sentence = HealthVerdict(Self.findings(ongoing: true)).sentence
    #expect(sentence == "healthy · flat since step 14,717 as the learning rate decays to 6% of its peak", "\(sentence)")
  }
}
