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

  public init(selection: ColumnSelection = ColumnSelection()) {
    self.selection = selection
  }

  /// Reads the file at `path`, or standard input when `path` is `nil` or `-`.
  ///
  /// - Throws: `IngestError` for unreadable, empty or malformed input.
  public func read(path: String?) throws(IngestError) -> LossSeries {
    guard let path, path != "-" else {
      return try read(LineReader(input: .descriptor(STDIN_FILENO), source: "<stdin>"))
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
    if (status.st_mode & S_IFMT) == S_IFREG, Int(status.st_size) >= Self.parallelThreshold {
      return try readInParallel(descriptor: descriptor, size: Int(status.st_size), source: path)
    }
    return try read(LineReader(input: .descriptor(descriptor), source: path))
  }

  /// Reads a log already in memory; `source` names it in messages.
  public func read(bytes: [UInt8], source: String) throws(IngestError) -> LossSeries {
    try read(LineReader(input: .memory(bytes), source: source))
  }

  private func read(_ lines: LineReader) throws(IngestError) -> LossSeries {
    var lines = lines
    let digest = InputDigest()
    lines.digest = digest
    let session = IngestSession(source: lines.source, selection: selection)
    try lines.forEachLine { (line, number) throws(IngestError) -> Bool in
      try session.consume(line, number: number)
      return true
    }
    var series = try session.finish()
    series.origin.sha256 = digest.hex
    return series
  }
}
