import Foundation
import Testing

@testable import CurveFit

/// The schedule nanoGPT's console log states in the config it prints before training.
@Suite struct NanoGPTConfigTests {
  /// nanoGPT's Shakespeare config as `train.py` prints it, comments and all.
  static let shakespeare = """
    Overriding config with config/train_shakespeare_char.py:
    # train a miniature character-level shakespeare model
    out_dir = 'out-shakespeare-char'
    eval_interval = 250 # keep frequent because we'll overfit
    learning_rate = 1e-3 # with baby networks can afford to go a bit higher
    max_iters = 5000
    lr_decay_iters = 5000 # make equal to max_iters usually
    min_lr = 1e-4 # learning_rate / 10 usually
    beta2 = 0.99 # make a bit bigger because number of tokens per iter is small

    warmup_iters = 100 # not super necessary potentially
    tokens per iteration will be: 16,384

    """

  static func iterations(through last: Int) -> String {
    stride(from: 0, through: last, by: 10).map { "iter \($0): loss \(4 / pow(Double($0) + 10, 0.2)), time 765.00ms, mfu 0.48%" }
      .joined(separator: "\n") + "\n"
  }

  func read(_ text: String) throws -> LossSeries {
    try LogReader(selection: ColumnSelection(), pattern: nil).read(bytes: Array(text.utf8), source: "train.log")
  }

  @Test func theShakespeareConfigStatesACosineAndTheRunsLength() throws {
    let series = try read(Self.shakespeare + Self.iterations(through: 2_500))
    #expect(series.origin.format == "text (nanoGPT)")
    #expect(series.count == 251)
    #expect(series.origin.plannedSteps == PlannedSteps(steps: 5_000, key: "max_iters = 5000"))
    let stated = try #require(series.origin.statedSchedule)
    #expect(stated.shape == "cosine" && stated.decayEnd == 5_000 && stated.warmupSteps == 100)
    #expect(abs(stated.finalRatio - 0.1) < 1e-12)
    #expect(stated.source == "nanoGPT's config: lr_decay_iters = 5000, warmup_iters = 100, learning_rate = 1e-3, min_lr = 1e-4")
    // No evaluation line, nothing to read again for one; with one, its name.
    #expect(series.origin.heldOutLoss == nil)
    let evaluated = try read(Self.shakespeare + "step 0: train loss 4.2874, val loss 4.2823\n" + Self.iterations(through: 500))
    #expect(evaluated.origin.heldOutLoss == "val_loss")
  }

  @Test func overridesFollowTheConfigAndKeysLeftOutTakeTrainPysValues() throws {
    // `python train.py config/x.py --max_iters=2000 --lr_decay_iters=2000`; no warm-up or rates stated.
    let text = "Overriding config with config/x.py:\nmax_iters = 600_000\nlr_decay_iters = max_iters\n"
      + "Overriding: max_iters = 2000\nOverriding: lr_decay_iters = 2000\n" + Self.iterations(through: 500)
    let series = try read(text)
    #expect(series.origin.plannedSteps?.steps == 2_000)
    let stated = try #require(series.origin.statedSchedule)
    #expect(stated.decayEnd == 2_000 && stated.warmupSteps == 2_000 && abs(stated.finalRatio - 0.1) < 1e-12)
    #expect(stated.source.hasSuffix("(and train.py's warmup_iters = 2000, learning_rate = 6e-4, min_lr = 6e-5)"), "\(stated.source)")
    // A key naming another takes its value.
    let named = try read("lr_decay_iters = max_iters\nmax_iters = 3000\n" + Self.iterations(through: 500))
    #expect(named.origin.statedSchedule?.decayEnd == 3_000)
    // Keys naming each other, or themselves, name no number: no schedule, no length, no trap.
    let circular = try read("lr_decay_iters = max_iters\nmax_iters = lr_decay_iters\nwarmup_iters = warmup_iters\n" + Self.iterations(through: 500))
    #expect(circular.origin.statedSchedule == nil && circular.origin.plannedSteps == nil)
  }

  @Test func aRateThatDoesNotDecayAndConfigsThatStateNoSchedule() throws {
    let constant = try read("decay_lr = False\nmax_iters = 5000\nlearning_rate = 1e-3\n" + Self.iterations(through: 500))
    let stated = try #require(constant.origin.statedSchedule)
    #expect(stated.shape == "constant" && stated.decayEnd == 5_000 && stated.warmupSteps == 0)
    // Only the length: a planned end, no schedule (train.py's decay would end at 600,000).
    let length = try read("max_iters = 5000\n" + Self.iterations(through: 500))
    #expect(length.origin.plannedSteps?.steps == 5_000 && length.origin.statedSchedule == nil)
    // Nothing stated, or stated only after training began (the printed text of a sample), reads nothing.
    let late = try read(Self.iterations(through: 500) + "max_iters = 10\nlr_decay_iters = 10\n")
    #expect(late.origin.plannedSteps == nil && late.origin.statedSchedule == nil)
    // Indented or inside other text, it is not the config.
    let indented = try read("  max_iters = 5000\nx max_iters = 5000\n" + Self.iterations(through: 500))
    #expect(indented.origin.plannedSteps == nil)
  }
}
