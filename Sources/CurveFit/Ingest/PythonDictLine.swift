/// One line of the Hugging Face Trainer's console output, `{'loss': 2.31, 'grad_norm': 1.2,
/// 'learning_rate': 4.9e-05, 'epoch': 0.1}`: a Python dict's repr, rewritten as a JSON object
/// so the JSON-lines reader takes it.
///
/// Single-quoted strings become double-quoted (a `"` inside one is escaped), and the bare
/// words Python prints become JSON's: `nan` → `NaN`, `inf` → `Infinity` (both read back as
/// numbers), `True`/`False`/`None` → `true`/`false`/`null`.
enum PythonDictLine {
  /// Lines of a head that look like the Trainer's dicts with a step loss: at least three, or
  /// every line of a shorter excerpt. A captured progress bar puts many `\r`-separated updates
  /// on a line and the dict after the last; with a bar or the Trainer's banner, one dict (or
  /// none yet: `logging_steps` can be hundreds of bar updates apart) is enough.
  static func dominate(_ lines: [String], progressBars: Bool = false) -> Bool {
    var dicts = 0
    var bars = progressBars
    for line in lines {
      let last = line.split(separator: "\r", omittingEmptySubsequences: false).last ?? ""
      let trimmed = last.drop { $0 == " " || $0 == "\t" }
      if trimmed.hasPrefix("{'") && trimmed.contains("'loss': ") { dicts += 1 }
      bars = bars || line.contains("\r")
    }
    let banner = lines.contains { $0.contains("***** Running training *****") }
    // diffusers' scripts print the Trainer's banner too, but their bar carries the loss itself.
    let lossInBar = dicts == 0 && lines.contains { $0.contains("\r") && $0.contains("loss=") }
    return dicts >= min(3, lines.count) || (dicts >= 1 && bars) || (banner && bars && !lossInBar)
  }

  /// The line as a JSON object, or `nil` when it is not a dict repr (a progress bar, a banner).
  static func json(_ line: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
    // NumPy 2 prints `np.float64(2.31)`, a tensor `tensor(2.31, device='cuda:0')`: their numbers.
    if line.contains(UInt8(ascii: "(")) {
      let text = String(decoding: line, as: UTF8.self)
      let unwrapped = WrappedNumber.unwrap(text)
      if unwrapped != text { return Array(unwrapped.utf8).withUnsafeBufferPointer { json($0) } }
    }
    var start = 0
    var end = line.count
    while start < end, line[start] == 0x20 || line[start] == 0x09 { start += 1 }
    while end > start, line[end - 1] == 0x20 || line[end - 1] == 0x09 || line[end - 1] == 0x0D { end -= 1 }
    guard end - start >= 2, line[start] == UInt8(ascii: "{"), line[start + 1] == UInt8(ascii: "'"),
      line[end - 1] == UInt8(ascii: "}")
    else { return nil }
    var out: [UInt8] = []
    out.reserveCapacity(end - start + 16)
    var quote: UInt8?
    var index = start
    while index < end {
      let byte = line[index]
      if let open = quote {
        if byte == UInt8(ascii: "\\"), index + 1 < end {
          out += [byte, line[index + 1]]
          index += 2
          continue
        }
        if byte == open {
          out.append(UInt8(ascii: "\""))
          quote = nil
        } else if byte == UInt8(ascii: "\""), open == UInt8(ascii: "'") {
          out += [UInt8(ascii: "\\"), byte]
        } else {
          out.append(byte)
        }
        index += 1
        continue
      }
      if byte == UInt8(ascii: "'") || byte == UInt8(ascii: "\"") {
        quote = byte
        out.append(UInt8(ascii: "\""))
        index += 1
        continue
      }
      if isLetter(byte) {
        var wordEnd = index
        while wordEnd < end, isLetter(line[wordEnd]) { wordEnd += 1 }
        let word = String(decoding: UnsafeBufferPointer(rebasing: line[index..<wordEnd]), as: UTF8.self)
        out += Array((words[word] ?? word).utf8)
        index = wordEnd
        continue
      }
      out.append(byte)
      index += 1
    }
    return out
  }

  private static let words = ["nan": "NaN", "inf": "Infinity", "True": "true", "False": "false", "None": "null"]

  private static func isLetter(_ byte: UInt8) -> Bool {
    (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
  }
}
