extension LossSeries {
  /// A series read from a column named as a training perplexity (`ppl`, `train_perplexity`: a
  /// log with no loss column), as its log, the loss in nats, with a note; nil for any other.
  public func perplexityAsLoss() -> LossSeries? {
    guard ColumnSelection.namesTrainingPerplexity(origin.lossColumn) else { return nil }
    // Only the perplexity column is converted: an evaluation loss beside it is a loss already.
    var converted = converted(from: .perplexity)
    converted.origin.heldOutTrend = origin.heldOutTrend
    return converted.noting(
      "\"\(origin.lossColumn)\" is a perplexity: read as its log, the loss in nats "
        + "(--input-units nats reads it as it is)")
  }
}
