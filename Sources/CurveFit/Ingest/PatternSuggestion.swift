import Foundation

/// A `--pattern` for a console log no built-in layout matches, read off one of its lines.
///
/// Trainers print `key=value`, `key: value` or `key value` pairs; the suggestion names the
/// first step-like key (`step`, `iter`, `it`, `iteration`, `global_step`, `batch`) and the first
/// loss-like key (`loss`, `train_loss`, `lm loss`, …) it finds, in their order on the line.
enum PatternSuggestion {
  static let stepKeys = ["global_step", "iteration", "step", "iter", "it", "batch"]
  /// Longer lines get no suggestion.
  static let longestLine = 1_000

  static func suggest(_ line: String) -> String? {
    // No loss-like key without "loss" in the line; the expression below costs far more than this
    // test (a head of 3,000 short lines without one took a second to be tried line by line). Its
    // lazy key backtracks over the rest of the line from every start: a line of 24,000
    // characters ("loss  loss  …", found by the fuzzer) did not finish in 15 s. A trainer's
    // line naming its step and loss is far shorter than 1,000.
    guard line.utf8.count <= Self.longestLine, line.range(of: "loss", options: .caseInsensitive) != nil else { return nil }
    let pairs = line.matches(of: #/([A-Za-z_][A-Za-z_ ]*?)\s*[=:]?\s*(-?[0-9][0-9.eE+-]*)/#)
    var step: (key: String, position: String.Index)?
    var loss: (key: String, position: String.Index)?
    for pair in pairs {
      let key = pair.output.1.trimmingCharacters(in: .whitespaces)
      let word = key.split(separator: " ").last.map(String.init)?.lowercased() ?? ""
      if step == nil, stepKeys.contains(word) { step = (String(key.split(separator: " ").last!), pair.range.lowerBound) }
      if loss == nil, word.contains("loss"), !word.contains("val") { loss = (key, pair.range.lowerBound) }
    }
    guard let step, let loss else { return nil }
    let escape = { (key: String) in NSRegularExpression.escapedPattern(for: key) }
    let stepPart = "\(escape(step.key))\\D*(?<step>\\d+)"
    let lossPart = "\(escape(loss.key))\\D*?(?<loss>[-+0-9.eE]+)"
    return step.position < loss.position ? "\(stepPart).*?\(lossPart)" : "\(lossPart).*?\(stepPart)"
  }
}
