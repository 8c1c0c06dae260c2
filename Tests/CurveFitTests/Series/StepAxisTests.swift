import Testing

@testable import CurveFit

/// Positions are named in the unit the step column counts: "step 1,234", "4.02e10 tokens",
/// "epoch 2.5", never "step 4.02e10".
struct StepAxisTests {
  static func origin(_ column: String?) -> SeriesOrigin {
    SeriesOrigin(source: "t", format: "csv", stepColumn: column, lossColumn: "loss", columns: [])
  }

  @Test("the step column's name gives the unit; row numbers are steps")
  func unitFromColumn() {
    #expect(StepAxis(Self.origin("step")) == .steps)
    #expect(StepAxis(Self.origin(nil)) == .steps)
    #expect(StepAxis(Self.origin("tokens")) == .tokens)
    #expect(StepAxis(Self.origin("train/num_tokens_seen")) == .tokens)
    #expect(StepAxis(Self.origin("consumed_samples")) == .samples)
    #expect(StepAxis(Self.origin("epoch")) == .epochs)
  }

  @Test("each unit names a position, a span, an amount and a rate's stretch in its own words")
  func wording() {
    #expect(StepAxis.steps.at(19_552) == "step 19,552")
    #expect(StepAxis.tokens.at(4.02e10) == "4.02e10 tokens")
    #expect(StepAxis.samples.at(1_200) == "1,200 samples")
    #expect(StepAxis.epochs.at(12) == "epoch 12")
    // Epochs are often fractional (a trainer state's 0.91); whole counts round.
    #expect(StepAxis.epochs.at(2.5) == "epoch 2.5" && StepAxis.epochs.at(0.914) == "epoch 0.914")
    #expect(StepAxis.steps.at(2.5) == "step 3")
    #expect(StepAxis.steps.span(1, 19_552) == "steps 1–19,552")
    #expect(StepAxis.tokens.span(4.7e6, 2.35e10) == "4,700,000–2.35e10 tokens")
    #expect(StepAxis.epochs.span(1, 20) == "epochs 1–20")
    #expect(StepAxis.steps.amount(700) == "700 steps")
    #expect(StepAxis.tokens.amount(3.15e9) == "3.15e9 tokens")
    #expect(StepAxis.epochs.amount(1) == "1 epoch")
    #expect(StepAxis.steps.bare(8_470) == "8,470" && StepAxis.tokens.bare(8.4e9) == "8.40e9 tokens")
    #expect(StepAxis.steps.column == "step" && StepAxis.tokens.column == "tokens" && StepAxis.epochs.column == "epoch")
    #expect(StepAxis.steps.skipped == "batches" && StepAxis.tokens.skipped == "tokens")
    // A plateau's slope per thousand tokens would print 1e-11 nats: a billion tokens reads.
    #expect(StepAxis.tokens.rateSpan.label == "1B tokens" && StepAxis.tokens.rateSpan.length == 1e9)
    #expect(StepAxis.epochs.rateSpan.length == 1 && StepAxis.steps.rateSpan.length == 1e3)
  }
}
