/// Reads console logs line by line with a `TextLogPattern` into a `LossSeries`.
struct TextLogReader {
  let pattern: TextLogPattern

  func read(_ lines: LineReader) throws(IngestError) -> LossSeries {
    var steps: [Double] = []
    var losses: [Double] = []
    var rates: [Double] = []
    var grads: [Double] = []
    var rows = 0
    var total = 0.0
    var lastLoss: String?
    var barOffset = 0.0
    var lastBar: (count: Double, total: Double, line: Int)?
    // Each step's epoch and the step's count, for patterns that may count within epochs.
    var within: [(epoch: Double, per: Double)] = []
    // Keras announces each epoch on a line of its own: (epoch, planned epochs).
    var announced: (epoch: Double, of: Double)?
    // kohya's bar shows `avr_loss`, a mean over the last epoch's steps, not each step's loss.
    var runningMean = false
    // The step of losses logged without one (`TextLogPattern.stepLines`).
    var carriedStep = 0.0
    // The rate a line of its own stated last (`RateLine`), for records that state none, and how
    // many such lines came once records had begun.
    var statedRate = Double.nan
    var rateLinesAfterFirstLoss = 0
    // The records whose rate came from such a line: none in most logs, so nothing is kept per
    // record for them.
    var ratesFromLines: [Int] = []
    let source = lines.source
    // nanoGPT states its schedule in the config it prints before the first loss.
    var config = pattern.name == "nanoGPT" ? NanoGPTConfig() : nil
    // The layout's evaluation lines, looked for among the lines its training pattern skips: only
    // a log that has some is read again for them (`HeldOutCheck`).
    let validation = TextLogPattern.validation[pattern.name]
    var validationSeen = false
    func add(_ match: TextLogPattern.Match, line number: Int, text: String) throws(IngestError) {
      var match = match
      if pattern.stepLines != nil {
        guard !match.loss.isEmpty else {
          carriedStep = match.step
          return
        }
        match.step = carriedStep
      }
      if pattern.stepsByOrder { match.step = Double(steps.count + 1) }
      if pattern.carriesEpoch {
        // Only an epoch's last line holds its loss (the others a running mean of part of it), and
        // one per announced epoch: `evaluate()`'s bar after training is announced by none.
        guard let epoch = announced, match.perEpoch.isFinite, match.step == match.perEpoch else { return }
        announced = nil
        match.epoch = epoch.epoch
        match.step += (epoch.epoch - 1) * match.perEpoch
        if epoch.of.isFinite { match.total = epoch.of * match.perEpoch }
      }
      let loss = Array(match.loss.utf8).withUnsafeBufferPointer { FastFloat.parse($0) }
      guard let loss else {
        throw .badNumber(SourceLocation(source: source, line: number), column: "loss", text: match.loss)
      }
      // A step of 400 digits parses to inf: name the line rather than report "steps inf–inf".
      guard match.step.isFinite else {
        throw .nonFiniteStep(SourceLocation(source: source, line: number), column: "step", text: String(text.prefix(80)))
      }
      steps.append(match.step)
      if pattern.firstEpoch == nil, pattern.countsWithinEpochs { within.append((match.epoch, match.perEpoch)) }
      losses.append(loss)
      if match.learningRate.isNaN, statedRate.isFinite {
        ratesFromLines.append(rates.count)
        rates.append(statedRate)
      } else {
        rates.append(match.learningRate)
      }
      grads.append(match.gradNorm)
      // A run resumed with a new length states it from then on: the last plan is the run's.
      if match.total.isFinite { total = match.total }
    }
    func noteRate(_ text: String) {
      guard let rate = RateLine.rate(in: text) else { return }
      statedRate = rate
      if !steps.isEmpty { rateLinesAfterFirstLoss += 1 }
    }
    // A line of `\r`-separated redraws: an update in each.
    func redraws(_ text: String, number: Int) throws(IngestError) {
      let read = pattern.matchEverySegment(text)
      if read.matches.isEmpty { noteRate(text) }
      if !runningMean, !read.matches.isEmpty, text.contains("avr_loss=") { runningMean = true }
      rows += max(0, read.segments - 1)
      for var match in read.matches {
        // A bar without `Epoch E:` that starts again from 1 (a loop's bar per epoch) continues
        // the run: its steps follow the previous bar's total. So does a finished bar on a line of
        // its own after a finished one with another loss: a log that keeps each epoch's last
        // redraw only (`Train Epoch: 2 Loss: 4.504 …: 100%|…| 5005/5005`) never shows a count fall.
        if pattern.readsEverySegment, match.epoch.isNaN, match.perEpoch.isFinite {
          if let last = lastBar,
            match.step < last.count
              || (match.step == match.perEpoch && last.count == last.total && number != last.line
                && match.loss != lastLoss)
          {
            barOffset += last.total
          }
          lastBar = (match.step, match.perEpoch, number)
          match.step += barOffset
        }
        // A bar over the whole run sets its postfix every step, after its count moved on: the
        // last redraw at a count holds that step's loss, and a loss equal to the step before's
        // (4 digits of diffusers' step_loss) is a step of its own.
        if pattern.name == "progress bar (steps)" || pattern.name == "progress bar (torchtune)" {
          if steps.last == match.step {
            if ratesFromLines.last == rates.count - 1 { ratesFromLines.removeLast() }
            steps.removeLast(); losses.removeLast(); rates.removeLast(); grads.removeLast()
            if within.count > steps.count { within.removeLast() }
          }
          try add(match, line: number, text: text)
          continue
        }
        // Another bar redraws the same postfix until the trainer logs again: the loss belongs to
        // the step where it first appeared.
        if match.loss == lastLoss, !pattern.carriesEpoch { continue }
        lastLoss = match.loss
        try add(match, line: number, text: text)
      }
    }
    // A line of one record: its match, then what a line that does not match may hold.
    func record(_ match: TextLogPattern.Match?, line number: Int, text: String) throws(IngestError) {
      if let match {
        try add(match, line: number, text: text)
      } else {
        noteRate(text)
        if steps.isEmpty, config != nil { config?.read(text) }
        if !validationSeen, let validation, validation.match(text) != nil { validationSeen = true }
      }
    }
    // Lines of one record each are matched a batch at a time on every core, then read in order;
    // a line of redraws is read in its place. Layouts whose lines depend on the lines before
    // (an epoch announced on a line of its own, a bar's redraws) are read line by line.
    let batched = !pattern.readsEverySegment && !pattern.carriesEpoch
    var batch: [(text: String, number: Int, redraws: Bool)] = []
    var batchBytes = 0
    func flush() throws(IngestError) {
      batchBytes = 0
      let matches = pattern.matchAll(batch.map { $0.redraws ? "" : $0.text })
      for (index, line) in batch.enumerated() {
        if line.redraws {
          try redraws(line.text, number: line.number)
        } else {
          try record(matches[index], line: line.number, text: line.text)
        }
      }
      batch.removeAll(keepingCapacity: true)
    }
    let each = pattern.readsEverySegment ? lines.forEachRedraw : lines.forEachLine
    try each { (line, number) throws(IngestError) -> Bool in
      rows += 1
      let text = String(decoding: line, as: UTF8.self)
      if batched {
        batch.append((text, number, Self.hasRedraws(line)))
        batchBytes += line.count
        if batch.count >= Self.batchLines || batchBytes >= Self.batchBytes { try flush() }
        return true
      }
      if pattern.carriesEpoch, let epoch = Self.epochAnnouncement(text) {
        announced = epoch
        return true
      }
      // A line of `\r`-separated redraws (a bar's description or postfix, captured to a file)
      // holds an update in each; any other line holds one record.
      guard pattern.readsEverySegment || Self.hasRedraws(line) else {
        try record(pattern.match(text), line: number, text: text)
        return true
      }
      try redraws(text, number: number)
      return true
    }
    try flush()
    guard !steps.isEmpty else { throw .noFiniteLoss(source: source, rows: rows) }
    let inferredEpoch = Self.countOnAcrossEpochs(&steps, within)
    if total == 0, let planned = Self.plannedFromCount(steps, within) { total = planned }
    // Rates stated on lines of their own fill the records that state none.
    let ratesStated = rateLinesAfterFirstLoss >= RateLine.leastAfterFirstLoss
    if !ratesStated {
      for i in ratesFromLines { rates[i] = .nan }
      ratesFromLines.removeAll()
    }
    // A column exists only when some line logged it: optional groups that never matched add nothing.
    let hasRates = (pattern.capturesRate || ratesStated) && rates.contains { $0.isFinite }
    let hasGrads = pattern.capturesGrad && grads.contains { $0.isFinite }
    // A loop that logs once an epoch counts epochs, not optimiser steps.
    let stepName = pattern.name == "epoch/loss" || pattern.name == "Ultralytics YOLO" ? "epoch" : "step"
    var columns = [stepName, pattern.lossName]
    if hasRates { columns.append("lr") }
    if hasGrads { columns.append("grad_norm") }
    var origin = SeriesOrigin(
      source: source, format: "text (\(pattern.name))", stepColumn: stepName, lossColumn: pattern.lossName,
      columns: columns)
    if pattern.name == "progress bar (steps)" {
      origin.notes.append(
        "steps are the progress bar's count N of T; each loss is the last the bar shows at that count"
          + (runningMean ? "; avr_loss is a running mean over about an epoch of steps, so the curve lags the run's loss" : ""))
    } else if pattern.name == "progress bar (torchtune)" {
      origin.notes.append("steps are the global step torchtune's bar shows before its loss; each loss is the last the bar shows at that step")
    } else if pattern.readsEverySegment {
      origin.notes.append(
        "steps are the progress bar's count (epochs before × its total + N); each loss is read where the bar "
          + "first shows it, at the trainer's logging steps")
    }
    if pattern.name == "Ultralytics YOLO" {
      origin.notes.append(
        "each loss is an epoch's mean box loss, the first of YOLO's three loss terms (box, then cls and dfl, or obj "
          + "and cls for YOLOv5); no line holds their total")
    }
    if !ratesFromLines.isEmpty {
      origin.notes.append("learning rates are the ones stated on lines of their own (`Learning rate: X`), each held until the next")
    }
    if pattern.stepsByOrder {
      origin.notes.append("no line gives a step: the losses are numbered 1, 2, … in the order they come")
    }
    if pattern.name == "MetricLogger" {
      origin.notes.append(
        "steps are epochs × the epoch's iterations + the iteration; each loss is MetricLogger's median of its last 20 "
          + "iterations (the bracketed mean since the epoch began is not read)")
    }
    if let inferredEpoch {
      origin.notes.append(
        "steps are counted on across epochs; no line gives an epoch's length, so each is taken as "
          + "\(NumberFormat.count(inferredEpoch)) steps (the largest count logged, and half a logging interval beyond it)")
    }
    origin.rowsRead = rows
    origin.rowsWithoutLoss = rows - steps.count
    if validationSeen, let validation { origin.heldOutLoss = validation.lossName }
    if let config {
      origin.statedSchedule = config.schedule
      if total == 0 { origin.plannedSteps = config.plannedSteps }
    }
    origin.learningRateColumn = hasRates ? "lr" : nil
    origin.gradNormColumn = hasGrads ? "grad_norm" : nil
    if total > 0 {
      let key = Self.totalKey(pattern)
      origin.plannedSteps = PlannedSteps(steps: total, key: key)
    }
    return LossSeries(
      steps: steps, losses: losses, gradNorms: hasGrads ? grads : nil,
      learningRates: hasRates ? rates : nil, origin: origin)
  }

  /// How the report names the field a layout's planned length came from.
  static func totalKey(_ pattern: TextLogPattern) -> String {
    if pattern.carriesEpoch { return "Epoch E/T × steps per epoch" }
    if pattern.name.hasPrefix("modded-nanogpt") { return "step:N/T" }
    switch pattern.name {
    case "llm.c console", "step/loss": return "step N/T"
    case "MMEngine": return "Iter(train) [N/T]"
    case "iteration/loss": return "iter N/T"
    case "OpenNMT": return "Step N/T"
    case "progress bar (steps)": return "Steps: N/T"
    case "[N/T] loss": return "[N/T]"
    case "epoch/loss": return "epoch N/T"
    case "Ultralytics YOLO": return "Epoch N/T"
    case "--pattern": return "(?<total>)"
    default: return "iteration N/T"
    }
  }

  /// The epoch and planned epochs of a line `Epoch 3/30` (nothing else on it but spaces).
  static func epochAnnouncement(_ line: String) -> (epoch: Double, of: Double)? {
    let words = line.split { $0 == " " || $0 == "\t" || $0 == "\r" }
    guard words.count == 2, words[0] == "Epoch" else { return nil }
    let parts = words[1].split(separator: "/", omittingEmptySubsequences: false)
    guard parts.count == 2, let epoch = Double(parts[0]), let of = Double(parts[1]), epoch >= 1 else { return nil }
    return (epoch, of)
  }

  /// Lines matched together: enough to share among the cores, few enough to hold; and at most
  /// this many bytes of them (a log of megabyte lines holds 16 of them at a time).
  static let batchLines = 16_384
  static let batchBytes = 16 << 20

  /// Whether `line` holds a `\r` before other text: more than one redraw.
  static func hasRedraws(_ line: UnsafeBufferPointer<UInt8>) -> Bool {
    guard let first = line.firstIndex(of: 0x0D) else { return false }
    return line[(first + 1)...].contains { $0 != 0x0D && $0 != 0x0A && $0 != 0x20 }
  }

  /// The `T` of `step N/T` lines that name no epoch and never start again (nanochat's
  /// `step 00100/21400`): the run's planned length, not a count within an epoch.
  static func plannedFromCount(_ steps: [Double], _ within: [(epoch: Double, per: Double)]) -> Double? {
    guard within.count == steps.count, let last = within.last?.per, last.isFinite, last > 0,
      within.allSatisfy({ $0.epoch.isNaN && $0.per.isFinite }),
      zip(steps, steps.dropFirst()).allSatisfy({ $0 <= $1 }), let final = steps.last, final <= last
    else { return nil }
    return last
  }

  /// Steps that start again when the epoch advances (`Epoch 2/3, step 10/200`) count on from
  /// the epochs before: `(epoch − first epoch) × count + step`. Steps that keep rising across
  /// epochs (a global step beside its planned total) are left as they are. An epoch whose count
  /// no line gives (`Epoch 1 Batch 50 Loss …`, the TensorFlow tutorials) is taken to be as long
  /// as the longest logged, `inferredEpochLength`; that length is returned so the report says so.
  @discardableResult
  static func countOnAcrossEpochs(_ steps: inout [Double], _ within: [(epoch: Double, per: Double)]) -> Double? {
    guard within.count == steps.count else { return nil }
    let restarts = steps.indices.dropFirst().contains { i in
      within[i].epoch > within[i - 1].epoch && steps[i] < steps[i - 1]
    }
    guard restarts, let first = within.map(\.epoch).filter(\.isFinite).min() else { return nil }
    let inferred = within.contains { $0.epoch.isFinite && !$0.per.isFinite } ? inferredEpochLength(steps, within) : nil
    for i in steps.indices where within[i].epoch.isFinite {
      guard let per = within[i].per.isFinite ? within[i].per : inferred else { continue }
      steps[i] += (within[i].epoch - first) * per
    }
    return inferred
  }

  /// An epoch's length in steps from its logged counts alone: the largest count, and beyond it
  /// half a logging interval (the epoch ends somewhere before the next log line would have come);
  /// logged every step, the largest count itself, or one more when counts start at 0.
  static func inferredEpochLength(_ steps: [Double], _ within: [(epoch: Double, per: Double)]) -> Double? {
    guard let largest = steps.max(), let smallest = steps.min(), largest > 0 else { return nil }
    var gaps: [Double] = []
    for i in steps.indices.dropFirst() where within[i].epoch == within[i - 1].epoch && steps[i] > steps[i - 1] {
      gaps.append(steps[i] - steps[i - 1])
    }
    let gap = gaps.isEmpty ? 1 : gaps.sorted()[gaps.count / 2]
    return (largest + (gap <= 1 ? (smallest == 0 ? 1 : 0) : gap / 2)).rounded()
  }
}
