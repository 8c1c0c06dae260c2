/// The schedule nanoGPT's log states before it trains: `train.py` prints the config file it
/// was given (`Overriding config with config/train_shakespeare_char.py:` and the file's lines,
/// `max_iters = 5000`, `lr_decay_iters = 5000 # make equal to max_iters usually`) and each
/// command-line override (`Overriding: max_iters = 2000`). Its console lines carry no rate, so
/// this is all the log says of its schedule: a linear warm-up over `warmup_iters`, a cosine from
/// `learning_rate` to `min_lr` at `lr_decay_iters`, and `min_lr` until `max_iters`; a constant
/// `learning_rate` with no warm-up when `decay_lr = False`.
struct NanoGPTConfig {
  private var values: [String: String] = [:]

  static let keys: Set<String> = ["max_iters", "lr_decay_iters", "warmup_iters", "learning_rate", "min_lr", "decay_lr"]
  /// `train.py`'s own values, for the keys a config leaves out.
  static let defaults: [String: String] = ["warmup_iters": "2000", "learning_rate": "6e-4", "min_lr": "6e-5"]

  /// Reads `key = value` (after `Overriding: ` or at the start of the line), for the keys of the
  /// schedule; a later line overrides an earlier one, as the overrides do in nanoGPT.
  mutating func read(_ line: String) {
    var text = Substring(line)
    if text.hasPrefix("Overriding: ") { text = text.dropFirst("Overriding: ".count) }
    guard let first = text.first, first.isLetter, let equals = text.firstIndex(of: "=") else { return }
    let key = text[..<equals].trimmingCharacters(in: .whitespaces)
    guard Self.keys.contains(key) else { return }
    var value = text[text.index(after: equals)...]
    if let hash = value.firstIndex(of: "#") { value = value[..<hash] }
    let stated = value.trimmingCharacters(in: .whitespaces)
    guard !stated.isEmpty else { return }
    values[key] = stated
  }

  /// A number as Python writes one (`5_000`, `1e-3`), or the value of another key it names
  /// (`lr_decay_iters = max_iters`), followed through at most as many names as there are keys
  /// (`max_iters = lr_decay_iters` beside it names no number).
  private func number(_ key: String, hops: Int = 0) -> Double? {
    guard let text = values[key], hops <= Self.keys.count else { return nil }
    if let value = Double(text.replacingOccurrences(of: "_", with: "")), value.isFinite { return value }
    guard Self.keys.contains(text) else { return nil }
    return number(text, hops: hops + 1)
  }

  /// `max_iters`, when the log states it: the run's planned length.
  var plannedSteps: PlannedSteps? {
    guard let steps = number("max_iters"), steps > 0 else { return nil }
    return PlannedSteps(steps: steps, key: "max_iters = \(values["max_iters"] ?? "")")
  }

  /// The schedule, when the log states where the decay ends (`lr_decay_iters`), or that there is
  /// none (`decay_lr = False` with `max_iters`); the keys it leaves out take `train.py`'s values,
  /// and the source says which.
  var schedule: StatedSchedule? {
    if let decay = values["decay_lr"], decay == "False" {
      guard let end = number("max_iters"), end > 0 else { return nil }
      return StatedSchedule(
        shape: "constant", decayEnd: end, warmupSteps: 0, finalRatio: 1,
        source: "nanoGPT's config: decay_lr = False, max_iters = \(values["max_iters"] ?? "")")
    }
    guard let end = number("lr_decay_iters"), end > 0 else { return nil }
    var stated = ["lr_decay_iters = \(values["lr_decay_iters"] ?? "")"]
    var assumed: [String] = []
    func value(_ key: String) -> Double? {
      if let number = number(key) {
        stated.append("\(key) = \(values[key] ?? "")")
        return number
      }
      guard values[key] == nil, let fallback = Self.defaults[key], let number = Double(fallback) else { return nil }
      assumed.append("\(key) = \(fallback)")
      return number
    }
    guard let warmup = value("warmup_iters"), let peak = value("learning_rate"), let floor = value("min_lr"),
      warmup >= 0, peak > 0, floor >= 0
    else { return nil }
    var source = "nanoGPT's config: " + stated.joined(separator: ", ")
    if !assumed.isEmpty {
      source += " (and train.py's " + assumed.joined(separator: ", ") + ")"
    }
    return StatedSchedule(
      shape: "cosine", decayEnd: end, warmupSteps: warmup, finalRatio: min(1, floor / peak), source: source)
  }
}
