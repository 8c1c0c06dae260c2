/// The Hugging Face Trainer's console, as `2>&1 | tee` captures it: tqdm's progress bar rewrites
/// itself after `\r` (`  1%|▏  | 10/1000 [00:05<08:12, 2.01it/s]`), and each logging step's dict
/// is written after the bar has been cleared, then the bar is redrawn: so the dict is the last
/// `\r`-segment of its line, and the first bar after it shows the exact global step.
///
/// The dicts become JSON lines (one output line per input line, so errors keep their line
/// numbers) with the bar's step as `"step"`; the bar's total is the run's planned length.
struct TrainerConsole {
  private var lines: [[UInt8]] = []
  /// Output lines holding a dict, with the bar steps seen before and after it.
  private var records: [(line: Int, before: Double?, after: Double?)] = []
  private var awaiting: [Int] = []
  private var lastStep: Double?
  /// The training bar's total: the first bar's, so an evaluation bar (another total) is ignored.
  private(set) var total: Double?
  private var banner: Double?

  /// Takes one input line; returns the bytes of JSON it made.
  @discardableResult
  mutating func add(_ line: UnsafeBufferPointer<UInt8>) -> Int {
    var segmentStart = 0
    var dict: [UInt8]?
    for index in 0...line.count where index == line.count || line[index] == 0x0D {
      let segment = UnsafeBufferPointer(rebasing: line[segmentStart..<index])
      segmentStart = index + 1
      if let (step, total) = Self.bar(segment), self.total == nil || total == self.total {
        self.total = total
        for record in awaiting { records[record].after = step }
        awaiting.removeAll()
        lastStep = step
      } else if index == line.count, let json = PythonDictLine.json(segment) {
        dict = json
      } else if banner == nil, let steps = Self.bannerSteps(segment) {
        banner = steps
      }
    }
    guard let dict else {
      lines.append([])
      return 0
    }
    awaiting.append(records.count)
    records.append((lines.count, lastStep, nil))
    lines.append(dict)
    return dict.count
  }

  /// The JSON lines, each dict given the bar's step when every dict has one and they rise (a
  /// bar drawn once among the dicts says nothing of their steps); whether it did.
  func json() -> (bytes: [UInt8], stepsFromBar: Bool) {
    let steps = records.map { $0.after ?? $0.before }
    let rising = zip(steps, steps.dropFirst()).allSatisfy { pair in
      guard let a = pair.0, let b = pair.1 else { return false }
      return b > a
    }
    let stepsFromBar = !records.isEmpty && steps.allSatisfy { $0 != nil } && rising
    var lines = self.lines
    if stepsFromBar {
      for (record, step) in zip(records, steps) {
        guard let step, lines[record.line].first == UInt8(ascii: "{") else { continue }
        let key = Array("{\"step\": \(Int(step)), ".utf8)
        // `{}` has no member to put a comma before.
        let rest = lines[record.line].dropFirst()
        lines[record.line] = rest.first == UInt8(ascii: "}") ? Array("{\"step\": \(Int(step))}".utf8) : key + rest
      }
    }
    var bytes: [UInt8] = []
    for line in lines {
      bytes += line
      bytes.append(0x0A)
    }
    return (bytes, stepsFromBar)
  }

  /// The planned length: the progress bar's total, else the banner's "Total optimization steps".
  var plannedSteps: PlannedSteps? {
    if let total { return PlannedSteps(steps: total, key: "progress bar N/T") }
    return banner.map { PlannedSteps(steps: $0, key: "Total optimization steps") }
  }

  /// `N` and `T` of a tqdm bar's `| N/T [`, or `nil`.
  static func bar(_ segment: UnsafeBufferPointer<UInt8>) -> (Double, Double)? {
    guard segment.count >= 6 else { return nil }
    var index = 0
    while index + 1 < segment.count {
      defer { index += 1 }
      guard segment[index] == UInt8(ascii: "|"), segment[index + 1] == 0x20 else { continue }
      var cursor = index + 2
      guard let n = digits(segment, &cursor), cursor < segment.count, segment[cursor] == UInt8(ascii: "/") else { continue }
      cursor += 1
      guard let t = digits(segment, &cursor), cursor + 1 < segment.count, segment[cursor] == 0x20,
        segment[cursor + 1] == UInt8(ascii: "["), t > 0
      else { continue }
      return (n, t)
    }
    return nil
  }

  /// The Trainer's banner line `  Total optimization steps = 1,000`.
  static func bannerSteps(_ segment: UnsafeBufferPointer<UInt8>) -> Double? {
    let text = String(decoding: segment, as: UTF8.self)
    guard let range = text.range(of: "Total optimization steps = ") else { return nil }
    let number = text[range.upperBound...].prefix { $0.isNumber || $0 == "," }.filter(\.isNumber)
    return Double(number).flatMap { $0 > 0 ? $0 : nil }
  }

  private static func digits(_ segment: UnsafeBufferPointer<UInt8>, _ cursor: inout Int) -> Double? {
    var value = 0.0
    let start = cursor
    while cursor < segment.count, segment[cursor] >= 0x30, segment[cursor] <= 0x39, cursor - start < 15 {
      value = value * 10 + Double(segment[cursor] - 0x30)
      cursor += 1
    }
    return cursor > start ? value : nil
  }
}
