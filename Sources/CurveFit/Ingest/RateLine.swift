/// A line that states the learning rate and nothing else, as hand-written loops print it at each
/// epoch's start: `Learning rate: 0.049983`, `LR = 1e-3`, `Current learning rate: 0.01`, `lr: [0.0002]`.
///
/// Such a loop's loss lines carry no rate, so its schedule went unseen: an ImageNet ResNet-50 log
/// (`Learning rate: …` above each epoch's `Train Epoch: E Loss: X …` bar, a one-cycle cosine)
/// was projected as if its rate stayed at the peak. The rate holds for the records after it until
/// the next such line.
enum RateLine {
  /// The rate the line states, or nil for any other line.
  static func rate(in line: String) -> Double? {
    var text = Substring(line)
    while let first = text.first, first == " " || first == "\t" { text.removeFirst() }
    while let last = text.last, last == " " || last == "\t" || last == "\r" || last == "\n" { text.removeLast() }
    guard let first = text.first, "LlCc".contains(first), text.utf8.count <= 48 else { return nil }
    let lowered = text.lowercased()
    guard let key = keys.first(where: { lowered.hasPrefix($0) }) else { return nil }
    var rest = lowered.dropFirst(key.count)
    while rest.first == " " { rest.removeFirst() }
    guard let separator = rest.first, separator == ":" || separator == "=" else { return nil }
    rest.removeFirst()
    while rest.first == " " { rest.removeFirst() }
    // `scheduler.get_last_lr()` prints a list of one rate per parameter group: `lr: [0.0002]`.
    if rest.first == "[", rest.last == "]" { rest = rest.dropFirst().dropLast() }
    guard let rate = Double(rest), rate.isFinite, rate >= 0 else { return nil }
    return rate
  }

  /// Longest first, so that `learning rate` is not read as `l…`.
  private static let keys = ["current learning rate", "current lr", "learning rate", "learning_rate", "lr"]

  /// Fewer stated rates than this after the first loss are a printed setting (`lr: 3e-4` in a
  /// config block), not the schedule: a run whose rate is stated once says nothing of its decay.
  static let leastAfterFirstLoss = 2
}
