/// Which spike rule to apply: ours, or one that a popular trainer uses (`--detector`).
public enum SpikeRule: String, Sendable, CaseIterable {
  /// Robust z of the log-residual from the fitted trend against a clipped moving baseline.
  case robust = "default"
  /// llm.c: z-score over a rolling window of 128 losses, threshold 3.
  case llmc
  /// OLMo: loss above mean + 6σ of the previous 128 losses.
  case olmo
  /// MosaicML Composer/Foundry: loss ≥ 2× the running mean for more than 4 consecutive steps,
  /// window max(100, 5% of the run).
  case foundry
  /// PyTorch Lightning-style: running mean over 10 steps, relative tolerance 2.0, non-finite
  /// losses count.
  case lightning
  /// Megatron-LM: loss above 10× the largest loss seen so far.
  case megatron
}
