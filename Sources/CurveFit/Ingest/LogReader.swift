#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Reads a training log (CSV, TSV or JSON lines) from a file, standard input or memory into a
/// `LossSeries`, detecting the format and the step and loss columns.
///
/// Rows whose loss cell is empty or whose loss key is absent are skipped (sparse logs are
/// normal). NaN and infinite losses are kept as data; JSON `null` counts as a non-finite loss,
/// since that is how strict JSON writers render NaN. A cell that is not a number is an error
/// naming the file and line.
public struct LogReader: Sendable {
  public var selection: ColumnSelection
  /// A pattern for console logs (`--pattern`); `nil` detects the format.
  public var pattern: TextLogPattern?
  /// Hash large files while parsing them. Set to `false` when the caller computes
  /// `LogReader.sha256(path:)` itself, overlapped with later single-threaded work.
  public var computeDigest = true

  public init(selection: ColumnSelection = ColumnSelection(), pattern: TextLogPattern? = nil) {
    self.selection = selection
    self.pattern = pattern
  }

  /// Reads the file at `path`, or standard input when `path` is `nil` or `-`.
  ///
  /// - Throws: `IngestError` for unreadable, empty or malformed input.
  public func read(path: String?) throws(IngestError) -> LossSeries {
    guard let path, path != "-" else {
      let head = Self.readHead(STDIN_FILENO)
      let input = LineReader.Input.prefixed(head, STDIN_FILENO)
      return try read(kind: sniff(head), input: input, source: "<stdin>")
    }
    let descriptor = open(path, O_RDONLY)
    guard descriptor >= 0 else {
      throw .cannotOpen(source: path, reason: String(cString: strerror(errno)))
    }
    defer { close(descriptor) }
    var status = stat()
    if fstat(descriptor, &status) == 0, (status.st_mode & S_IFMT) == S_IFDIR {
      throw .cannotOpen(source: path, reason: "it is a directory, expected a log file")
    }
    // A FIFO or a device (process substitution, `<(zcat run.csv.gz)`) can be read only once,
    // from where it is: its head is taken from the stream and handed on with the rest.
    guard (status.st_mode & S_IFMT) == S_IFREG else {
      let head = Self.readHead(descriptor)
      return try read(kind: sniff(head), input: .prefixed(head, descriptor), source: path)
    }
    let head = Self.readHead(descriptor, at: 0)
    if let kind = Decompression.kind(of: head), let stream = try Self.plainStream(descriptor, kind: kind, source: path) {
      var series = try read(kind: sniff(stream.head), input: .decompressing(stream.head, stream.stream), source: path)
      series.origin.format += ", \(kind.rawValue)"
      return series
    }
    if EventFileReader.looksLikeEventFile(head) || Decompression.kind(of: head) != nil {
      // Read whole: event files are framed records, compressed logs must be inflated first.
      guard let first = try readAll(bytes: Self.readFile(path, limit: Self.wholeFileLimit), source: path).first else {
        throw .empty(source: path)
      }
      return first.series
    }
    let kind = sniff(head)
    if case .delimited = kind, (status.st_mode & S_IFMT) == S_IFREG,
      Int(status.st_size) >= Self.parallelThreshold
    {
      return try readInParallel(descriptor: descriptor, size: Int(status.st_size), source: path)
    }
    return try read(kind: kind, input: .descriptor(descriptor), source: path)
  }

  /// Reads the complete lines of a log another process is still writing: a half-written last
  /// line (`3001,1.1234` of `1.1234e-01`), or the redraw a progress bar is writing after its last
  /// `\r`, is left for the next read. A tail that closes a JSON
  /// object or array (a trainer state rewritten whole, perhaps without a final newline) counts
  /// as complete. Streams like `read(path:)`; only the end of the file is looked at twice.
  public func read(completeLinesOf path: String) throws(IngestError) -> LossSeries {
    let descriptor = open(path, O_RDONLY)
    guard descriptor >= 0 else { throw .cannotOpen(source: path, reason: String(cString: strerror(errno))) }
    defer { close(descriptor) }
    var status = stat()
    guard fstat(descriptor, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else { return try read(path: path) }
    let size = Int(status.st_size)
    // The end of the last complete line: back from the end of the file, a block at a time.
    var end = size
    var position = size
    var tail: UInt8?
    scan: while position > 0 {
      let start = max(0, position - (64 << 10))
      var block = [UInt8](repeating: 0, count: position - start)
      let got = block.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, off_t(start)) }
      guard got == block.count else { break }
      for index in stride(from: block.count - 1, through: 0, by: -1) {
        let byte = block[index]
        if byte == 0x0A { end = start + index + 1; break scan }
        // A `\r` not followed by a newline (that would have been met first) ends a progress
        // bar's redraw: the bar writes no newline until its epoch ends. At the very end it may be
        // the first half of `\r\n`; its line is complete either way.
        if byte == 0x0D { end = start + index + 1; break scan }
        if tail == nil, byte != 0x20, byte != 0x09, byte != 0x0D { tail = byte }
      }
      position = start
      if position == 0 { end = 0 }
    }
    if end == size || tail == UInt8(ascii: "}") || tail == UInt8(ascii: "]") { return try read(path: path) }
    let head = Array(Self.readHead(descriptor, at: 0).prefix(end))
    guard !head.isEmpty else { throw .empty(source: path) }
    if EventFileReader.looksLikeEventFile(head) || Decompression.kind(of: head) != nil { return try read(path: path) }
    return try read(kind: sniff(head), input: .fileRange(descriptor, start: 0, end: end), source: path)
  }

  /// A compressed file opened for streaming, with its first decompressed bytes; `nil` when what
  /// it holds must be read whole (an event file, or another compression layer).
  static func plainStream(
    _ descriptor: Int32, kind: Decompression.Kind, source: String
  ) throws(IngestError) -> (head: [UInt8], stream: DecompressingStream)? {
    guard kind.streams, lseek(descriptor, 0, SEEK_SET) == 0 else { return nil }
    let stream = try DecompressingStream(kind: kind, descriptor: descriptor, source: source)
    var head = [UInt8](repeating: 0, count: headBytes)
    var filled = 0
    while filled < headBytes {
      let got = head.withUnsafeMutableBytes { stream.read(into: $0.baseAddress! + filled, count: headBytes - filled) }
      if got < 0, let failure = stream.failure { throw failure }
      guard got > 0 else { break }
      filled += got
    }
    head.removeSubrange(filled...)
    if Decompression.kind(of: Array(head.prefix(Decompression.headBytes))) != nil || EventFileReader.looksLikeEventFile(head) { return nil }
    return (head, stream)
  }

  /// Reads a log already in memory; `source` names it in messages.
  public func read(bytes: [UInt8], source: String) throws(IngestError) -> LossSeries {
    let head = Array(bytes.prefix(Self.headBytes))
    if EventFileReader.looksLikeEventFile(head) || Decompression.kind(of: head) != nil {
      guard let first = try readAll(bytes: bytes, source: source).first else { throw .empty(source: source) }
      return first.series
    }
    return try read(kind: sniff(head), input: .memory(bytes), source: source)
  }

  func read(kind: LogKind, input: LineReader.Input, source: String) throws(IngestError) -> LossSeries {
    var lines = LineReader(input: input, source: source)
    let digest = InputDigest()
    lines.digest = digest
    var series: LossSeries
    switch kind {
    case .delimited:
      series = try read(lines)
    case .text(let detected):
      // A known layout reads one loss, or its validation lines when asked for an evaluation
      // loss: a request for anything else must not silently get the training loss.
      var pattern = detected
      if self.pattern == nil, let asked = selection.lossColumn, asked != pattern.lossName,
        !(pattern.lossName == "loss" && ColumnSelection.lossAliases.contains(asked.lowercased()))
      {
        guard ColumnSelection.namesEvaluation(asked), let validation = TextLogPattern.validation[pattern.name] else {
          throw .consoleMetric(source: source, layout: pattern.name, name: asked, reads: pattern.lossName)
        }
        pattern = validation
      }
      do {
        series = try TextLogReader(pattern: pattern).read(lines)
      } catch .noFiniteLoss where pattern.name != detected.name {
        // No validation line in the log: the request names nothing it holds.
        throw .consoleMetric(source: source, layout: detected.name, name: selection.lossColumn ?? "", reads: detected.lossName)
      }
    case .jsonDocument:
      series = try JSONDocumentReader(selection: selection).read(try wholeDocument(lines, source: source), source: source)
    case .pythonDicts:
      var console = TrainerConsole()
      try convertEachLine(lines) { console.add($0) }
      let (bytes, stepsFromBar) = console.json()
      series = try read(LineReader(input: .memory(bytes), source: source))
      series.origin.format = "text (Hugging Face Trainer console)"
      // The bar's total and the banner count optimiser steps: no length for a log read by epoch
      // (a planned end at "2,000" on an axis of epochs 0.02–0.18).
      if series.origin.axis != .epochs {
        series.origin.plannedSteps = series.origin.plannedSteps ?? console.plannedSteps
      }
      if !stepsFromBar {
        series.origin.notes.append(
          "the Trainer's console prints no step and no progress bar was found: "
            + (series.origin.axis == .epochs
              ? "the records are placed by their epoch" : "steps are the logged records in order (logging_steps apart)")
            + "; its trainer_state.json has the steps")
      }
    case .recordBlocks:
      var blocks = RecordBlocks()
      try convertEachLine(lines) { blocks.add($0) }
      series = try read(LineReader(input: .memory(blocks.json()), source: source))
      series.origin.format = "text (\(blocks.headerKey.hasPrefix("batch") ? "Composer" : "OLMo"))"
      series.origin.plannedSteps = series.origin.plannedSteps ?? blocks.plannedSteps
    case .spacyTable:
      var table = SpacyTable()
      try convertEachLine(lines) { table.add($0) }
      series = try read(LineReader(input: .memory(table.bytes), source: source))
      series.origin.format = "text (spaCy)"
      if let note = table.note { series.origin.notes.append(note) }
    case .alignedTable(let header):
      var table = AlignedTable(layout: header)
      try convertEachLine(lines) { table.add($0) }
      series = try read(LineReader(input: .memory(table.bytes), source: source))
      series.origin.format = "text (columns aligned with spaces)"
    case .separatedTable(let style):
      var table = SeparatedTable(style: style)
      try convertEachLine(lines) { table.add($0) }
      series = try read(LineReader(input: .memory(table.bytes), source: source))
      series.origin.format = "csv (\(style.rawValue))"
      if table.decimalCommas { series.origin.notes.append("commas inside cells read as decimal marks (2,345 is 2.345)") }
    case .headerlessNumbers(let names):
      var table = AlignedTable(header: names, commasSeparate: true)
      try convertEachLine(lines) { table.add($0) }
      var numbers = LineReader(input: .memory(table.bytes), source: source)
      numbers.firstLineNumber = 0
      series = try read(numbers)
      series.origin.format = "numbers without a header"
      if names == AlignedTable.mlflowNames {
        series.origin.format = "MLflow metric file"
        series.origin.notes.append("no header: read as MLflow writes a metric, a time in milliseconds, the value and the step")
        // MLflow names the metric by the file (`metrics/val_loss`): an evaluation loss is judged as one.
        let name = source.split(separator: "/").last.map(String.init) ?? ""
        if !name.isEmpty, !name.contains("."), name != "-", !name.hasPrefix("<") { series.origin.lossColumn = name }
        break
      }
      series.origin.notes.append(
        "no header: " + (names.count == 1 ? "the one column read as the loss, by row number"
          : "the first column read as the step, the second as the loss" + (names.count > 2 ? " (the others as column3, …)" : ""))
          + "; a header line names them")
    case .numberList:
      let losses = try NumberList.losses(try wholeDocument(lines, source: source), source: source)
      guard losses.contains(where: \.isFinite) else { throw .noFiniteLoss(source: source, rows: losses.count) }
      var origin = SeriesOrigin(source: source, format: "list of numbers", stepColumn: nil, lossColumn: "loss", columns: ["loss"])
      origin.rowsRead = losses.count
      origin.notes.append("a list of numbers alone: read as the loss by position (steps 1–\(losses.count)); "
        + "a table with a step column keeps the steps")
      series = LossSeries(steps: (1...losses.count).map(Double.init), losses: losses, origin: origin)
    case .unrecognised(let line):
      throw .unrecognisedLog(source: source, suggestion: PatternSuggestion.suggest(line))
    }
    if selection.lossColumn == nil, ColumnSelection.namesEvaluation(series.origin.lossColumn) {
      series.origin.notes.append(
        "no training loss in this log: reading the evaluation loss \"\(series.origin.lossColumn)\" (--loss-col picks another)")
    }
    series.origin.sha256 = digest.hex
    return series
  }

  /// Every line of an input read whole (a JSON document, a list of numbers), up to the bound of
  /// a JSON document.
  private func wholeDocument(_ lines: LineReader, source: String) throws(IngestError) -> [UInt8] {
    var bytes: [UInt8] = []
    var limitHit = false
    try lines.forEachLine { (line, _) throws(IngestError) -> Bool in
      bytes.append(contentsOf: line)
      bytes.append(0x0A)
      limitHit = bytes.count > JSONDocumentReader.maxBytes
      return !limitHit
    }
    if limitHit { throw .lineTooLong(SourceLocation(source: source, line: 1), limit: JSONDocumentReader.maxBytes) }
    return bytes
  }

  /// Feeds every line to `convert`, which returns the bytes of JSON it wrote: a console rewritten
  /// as JSON lines is held in memory, within the bound of a JSON document.
  private func convertEachLine(
    _ lines: LineReader, _ convert: (UnsafeBufferPointer<UInt8>) -> Int
  ) throws(IngestError) {
    var size = 0
    var limitHit = false
    try lines.forEachLine { (line, _) throws(IngestError) -> Bool in
      size += convert(line) + 1
      limitHit = size > JSONDocumentReader.maxBytes
      return !limitHit
    }
    if limitHit { throw .lineTooLong(SourceLocation(source: lines.source, line: 1), limit: JSONDocumentReader.maxBytes) }
  }

  private func read(_ lines: LineReader) throws(IngestError) -> LossSeries {
    let session = IngestSession(source: lines.source, selection: selection)
    var linesBefore = lines.firstLineNumber - 1
    try lines.forEachBlock { (block) throws(IngestError) -> Int in
      let count = try session.consume(block: block, firstLine: linesBefore + 1)
      linesBefore += count
      return count
    }
    return try session.finish()
  }
}
