import Dispatch

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

extension LogReader {
  /// Files at least this large are parsed by two workers.
  public static let parallelThreshold = 16 << 20

  /// Reads a large regular file on two cores: the first lines decide the format and columns,
  /// then the rest is split at a line boundary near its middle and each half is parsed by its own
  /// session; the halves are joined in file order, so the result equals a sequential read.
  func readInParallel(descriptor: Int32, size: Int, source: String) throws(IngestError) -> LossSeries {
    let session = IngestSession(source: source, selection: selection)
    var readyAt = size
    var linesSeen = 0
    let head = LineReader(input: .fileRange(descriptor, start: 0, end: size), source: source)
    try head.forEachLine { (line, number, end) throws(IngestError) -> Bool in
      try session.consume(line, number: number)
      linesSeen = number
      if session.isReady {
        readyAt = end
        return false
      }
      return true
    }
    guard readyAt < size else { return try session.finish() }
    let middle = lineBoundary(descriptor, after: readyAt + (size - readyAt) / 2, size: size)
    let ranges = [readyAt..<middle, middle..<size]
    // The session that read the head goes on with the first half itself, so only the second
    // half's rows are copied when the halves are joined.
    let workers = [session, session.worker()]
    // Rows per byte from the head, to reserve each worker's arrays once.
    let rowsPerByte = Double(max(1, session.rowCount)) / Double(max(1, readyAt))
    let firstNumber = linesSeen + 1
    var failures: [IngestError?] = [nil, nil]
    let digest = InputDigest()
    failures.withUnsafeMutableBufferPointer { slots in
      nonisolated(unsafe) let slots = slots
      nonisolated(unsafe) let workers = workers
      // Two parsers and, unless the caller hashes the file itself, its SHA-256 alongside.
      let jobs = ranges.count + (computeDigest ? 1 : 0)
      DispatchQueue.concurrentPerform(iterations: jobs) { index in
        guard index < ranges.count else {
          Self.hash(descriptor, size: size, into: digest)
          return
        }
        let range = ranges[index]
        let worker = workers[index]
        // The first half's session will receive the second half's rows too: room for all of them.
        let bytes = index == 0 ? size - range.lowerBound : range.count
        worker.reserve(worker.rowCount + Int(rowsPerByte * Double(bytes) * 1.05) + 1_024)
        var reader = LineReader(
          input: .fileRange(descriptor, start: range.lowerBound, end: range.upperBound), source: source)
        reader.firstLineNumber = index == 0 ? firstNumber : 1
        var linesBefore = reader.firstLineNumber - 1
        do throws(IngestError) {
          try reader.forEachBlock { (block) throws(IngestError) -> Int in
            let count = try worker.consume(block: block, firstLine: linesBefore + 1)
            linesBefore += count
            return count
          }
        } catch {
          slots[index] = error
        }
      }
    }
    if let failure = failures[0] { throw failure }
    if let failure = failures[1] {
      // The second worker numbered its lines from 1; shift them past everything before.
      let before = linesSeen + countLines(descriptor, in: ranges[0])
      throw failure.shiftingLines(by: before)
    }
    session.reserve(session.rowCount + workers[1].rowCount)
    session.append(workers[1])
    var series = try session.finish()
    series.origin.sha256 = computeDigest ? digest.hex : nil
    return series
  }

  /// The SHA-256 of a file, read in large blocks: for a caller that overlaps hashing with work
  /// that leaves a core idle (the analysis) instead of with parsing, which uses both.
  public static func sha256(path: String) -> String? {
    let descriptor = open(path, O_RDONLY)
    guard descriptor >= 0 else { return nil }
    defer { close(descriptor) }
    var status = stat()
    guard fstat(descriptor, &status) == 0 else { return nil }
    let digest = InputDigest()
    hash(descriptor, size: Int(status.st_size), into: digest)
    return digest.hex
  }

  private static func hash(_ descriptor: Int32, size: Int, into digest: InputDigest) {
    var buffer = [UInt8](repeating: 0, count: 4 << 20)
    var position = 0
    while position < size {
      let got = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, off_t(position)) }
      guard got > 0 else { return }
      buffer.withUnsafeBytes { digest.update(UnsafeRawBufferPointer(rebasing: $0[0..<got])) }
      position += got
    }
  }

  /// The offset just past the first newline at or after `offset`.
  private func lineBoundary(_ descriptor: Int32, after offset: Int, size: Int) -> Int {
    var buffer = [UInt8](repeating: 0, count: 1 << 16)
    var position = offset
    while position < size {
      let got = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, off_t(position)) }
      guard got > 0 else { return size }
      if let index = buffer[0..<got].firstIndex(of: 0x0A) { return position + index + 1 }
      position += got
    }
    return size
  }

  private func countLines(_ descriptor: Int32, in range: Range<Int>) -> Int {
    var buffer = [UInt8](repeating: 0, count: 1 << 20)
    var position = range.lowerBound
    var count = 0
    while position < range.upperBound {
      let wanted = min(buffer.count, range.upperBound - position)
      let got = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, wanted, off_t(position)) }
      guard got > 0 else { break }
      count += buffer[0..<got].reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
      position += got
    }
    return count
  }
}

extension IngestError {
  /// The same error with its line number moved by `lines`.
  func shiftingLines(by lines: Int) -> IngestError {
    func shift(_ location: SourceLocation) -> SourceLocation {
      SourceLocation(source: location.source, line: location.line + lines)
    }
    switch self {
    case .badNumber(let at, let column, let text): return .badNumber(shift(at), column: column, text: text)
    case .nonFiniteStep(let at, let column, let text): return .nonFiniteStep(shift(at), column: column, text: text)
    case .missingStep(let at, let column): return .missingStep(shift(at), column: column)
    case .tooFewFields(let at, let found, let expected): return .tooFewFields(shift(at), found: found, expected: expected)
    case .invalidJSON(let at, let reason): return .invalidJSON(shift(at), reason: reason)
    case .lineTooLong(let at, let limit): return .lineTooLong(shift(at), limit: limit)
    default: return self
    }
  }
}
