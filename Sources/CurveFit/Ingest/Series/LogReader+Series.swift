import Foundation
#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

extension LogReader {
  /// Inputs larger than this are never read whole to look for several series: multi-run exports
  /// are a chart's worth of points, and a large log is one run.
  static let multiSeriesLimit = 256 << 20
  /// Inputs read whole (event files, compressed logs) larger than this are refused.
  static let wholeFileLimit = 2 << 30
  /// Compression layers peeled before a log must appear.
  static let maximumCompressionLayers = 4

  /// Every series `request` names in the input: a log file, a directory of logs, or standard
  /// input (`nil` or `-`). One series for an ordinary log; one per run of a W&B export or long
  /// table, per `--metric`, per file of a directory.
  ///
  /// - Throws: `IngestError` for unreadable, empty or malformed input, or when nothing matches.
  public func readAll(path: String?, request: SeriesRequest = SeriesRequest()) throws(IngestError) -> [NamedSeries] {
    do {
      return try readAllAsWritten(path: path, request: request)
    } catch {
      // A long table of metrics names its loss in a column, not in its header: pivoted to one
      // column per metric, it is read like any table. Only a file can be read a second time.
      let header: (source: String, columns: [String])?
      switch error {
      case .noLossColumn(let source, let columns): header = (source, columns)
      case .noSuchColumn(let source, _, _, let columns): header = (source, columns)
      default: header = nil
      }
      guard let (source, columns) = header, IngestError.longMetricColumns(columns) != nil, let path, path != "-",
        let pivoted = try LongMetricTable.pivot(try Self.readFile(path, limit: LongMetricTable.limit), source: source)
      else { throw error }
      return try readPivoted(pivoted, source: source, request: request)
    }
  }

  /// The series of a pivoted long table of metrics, marked as such.
  private func readPivoted(
    _ pivoted: (bytes: [UInt8], skipped: Int), source: String, request: SeriesRequest
  ) throws(IngestError) -> [NamedSeries] {
    var all = try readAll(bytes: pivoted.bytes, source: source, request: request)
    let skipped = pivoted.skipped == 0 ? ""
      : "; \(pivoted.skipped) \(pivoted.skipped == 1 ? "row" : "rows") without a finite step skipped"
    for index in all.indices {
      all[index].series.origin.format += ", long table of metrics"
      all[index].series.origin.notes.append(
        "a long table of metrics (one row per metric and step), read as one column per metric" + skipped)
    }
    return all
  }

  private func readAllAsWritten(path: String?, request: SeriesRequest) throws(IngestError) -> [NamedSeries] {
    if let path, path != "-", isDirectory(path) {
      return try readDirectory(path, request: request)
    }
    let source = path.flatMap { $0 == "-" ? nil : $0 } ?? "<stdin>"
    let head: [UInt8]
    if let path, path != "-" {
      let descriptor = open(path, O_RDONLY)
      guard descriptor >= 0 else { throw .cannotOpen(source: path, reason: String(cString: strerror(errno))) }
      defer { close(descriptor) }
      var status = stat()
      if fstat(descriptor, &status) == 0, (status.st_mode & S_IFMT) != S_IFREG {
        return try readStream(descriptor, source: source, request: request)
      }
      head = Self.readHead(descriptor, at: 0)
      // A compressed log of one series streams through the line reader like a plain one; a
      // run table or an event file inside is read whole below.
      if let kind = Decompression.kind(of: head), let plain = try Self.plainStream(descriptor, kind: kind, source: source),
        try multiSeriesLayout(plain.head, source: source, request: request) == nil, request.metrics.count <= 1
      {
        return try metricSeries(request, source: source) { reader throws(IngestError) in try reader.read(path: path) }
      }
    } else {
      return try readStream(STDIN_FILENO, source: source, request: request)
    }
    if EventFileReader.looksLikeEventFile(head) || Decompression.kind(of: head) != nil {
      return try readAll(bytes: Self.readFile(path!, limit: Self.wholeFileLimit), source: source, request: request)
    }
    if let layout = try multiSeriesLayout(head, source: source, request: request) {
      let bytes = try Self.readFile(path!, limit: Self.multiSeriesLimit)
      if let series = try RunTableReader(selection: selection, request: request)
        .read(bytes: bytes, source: source, format: layout.format, layout: layout.layout)
      {
        return series
      }
    }
    return try metricSeries(request, source: source) { reader throws(IngestError) in try reader.read(path: path) }
  }

  /// Standard input, a FIFO or a device: read once. It is streamed when it holds one series,
  /// and taken whole only when it holds several (a run table), several metrics are asked for,
  /// or it is an event file or compressed.
  private func readStream(_ descriptor: Int32, source: String, request: SeriesRequest) throws(IngestError) -> [NamedSeries] {
    let head = Self.readHead(descriptor)
    // A long table of metrics names its loss in a column: taken whole (within the pivot's bound)
    // and pivoted, as from a file.
    if LongMetricTable.opens(head) {
      let rest = try Self.readRest(descriptor, source: source, limit: LongMetricTable.limit - head.count)
      if let pivoted = try LongMetricTable.pivot(head + rest, source: source) {
        return try readPivoted(pivoted, source: source, request: request)
      }
      return try readAll(bytes: head + rest, source: source, request: request)
    }
    let layout = try multiSeriesLayout(head, source: source, request: request)
    if request.metrics.count > 1 || layout != nil || EventFileReader.looksLikeEventFile(head)
      || Decompression.kind(of: head) != nil
    {
      let rest = try Self.readRest(descriptor, source: source, limit: Self.wholeFileLimit - head.count)
      return try readAll(bytes: head + rest, source: source, request: request)
    }
    return try metricSeries(request, source: source) { reader throws(IngestError) in
      try reader.read(kind: reader.sniff(head), input: .prefixed(head, descriptor), source: source)
    }
  }

  /// Like `readAll(path:request:)` for bytes in memory.
  public func readAll(bytes: [UInt8], source: String, request: SeriesRequest = SeriesRequest()) throws(IngestError) -> [NamedSeries] {
    // Layers (a .gz of a .gz …) are peeled in a loop, not by recursion: 5,000 nested layers in a
    // 223 KB file would overflow the stack. More than a few is not a log anyone wrote.
    var bytes = bytes
    var layers: [String] = []
    while let kind = Decompression.kind(of: Array(bytes.prefix(Decompression.headBytes))) {
      guard layers.count < Self.maximumCompressionLayers else {
        throw .cannotOpen(source: source, reason: "more than \(Self.maximumCompressionLayers) nested compression layers, expected one")
      }
      bytes = try Decompression.decompress(bytes, kind: kind, source: source, limit: Self.wholeFileLimit)
      layers.append(kind.rawValue)
    }
    if !layers.isEmpty {
      return try readAll(bytes: bytes, source: source, request: request).map { named in
        var named = named
        named.series.origin.format += ", " + layers.joined(separator: ", ")
        return named
      }
    }
    if EventFileReader.looksLikeEventFile(Array(bytes.prefix(12))) {
      return try EventFileReader(selection: selection, request: request).read(bytes, source: source)
    }
    if let layout = try multiSeriesLayout(Array(bytes.prefix(Self.headBytes)), source: source, request: request),
      let series = try RunTableReader(selection: selection, request: request)
        .read(bytes: bytes, source: source, format: layout.format, layout: layout.layout)
    {
      return series
    }
    return try metricSeries(request, source: source) { reader throws(IngestError) in try reader.read(bytes: bytes, source: source) }
  }

  /// One series per `--metric` (or the training loss), each read with its own loss column.
  private func metricSeries(
    _ request: SeriesRequest, source: String, read: (LogReader) throws(IngestError) -> LossSeries
  ) throws(IngestError) -> [NamedSeries] {
    if !request.runs.isEmpty { throw .noRuns(source: source, runs: request.runs) }
    guard !request.metrics.isEmpty else {
      let series = try read(self)
      return [NamedSeries(name: series.origin.lossColumn, series: series)]
    }
    var result: [NamedSeries] = []
    for metric in request.metrics {
      var reader = self
      reader.selection.lossColumn = metric
      result.append(NamedSeries(name: metric, series: try read(reader)))
    }
    return result
  }

  /// The run-table layout of a CSV/TSV header, if it holds several runs.
  private func multiSeriesLayout(_ head: [UInt8], source: String, request: SeriesRequest) throws(IngestError) -> (layout: RunTableReader.Layout, format: String)? {
    guard case .delimited = sniff(head), pattern == nil else { return nil }
    let line = head.prefix { $0 != 0x0A }
    var bytes = Array(line)
    if bytes.last == 0x0D { bytes.removeLast() }
    let detected = bytes.withUnsafeBufferPointer { LogFormat.detect(firstLine: $0) }
    guard detected != .jsonl else { return nil }
    let reader = DelimitedReader(delimiter: detected == .tsv ? 0x09 : UInt8(ascii: ","))
    let header = bytes.withUnsafeBufferPointer { reader.headerNames($0) }
    let tableReader = RunTableReader(selection: selection, request: request)
    guard let layout = try tableReader.layout(header: header, source: source) else { return nil }
    return (layout, detected.rawValue)
  }

  // MARK: - Directories

  /// File names that are training logs, as trainers name them.
  static func isLogFile(_ name: String) -> Bool {
    let lowered = name.lowercased()
    if lowered.hasPrefix(".") { return false }
    if lowered.contains("tfevents") { return true }
    let extensions = [".csv", ".tsv", ".jsonl", ".log", ".txt", ".json", ".gz", ".zst"]
    guard extensions.contains(where: { lowered.hasSuffix($0) }) else { return false }
    // JSON documents that are not logs: configs and hyper-parameters.
    let configs = ["config.json", "hparams.json", "hparams.yaml", "args.json", "tokenizer.json", "package.json"]
    return !configs.contains(lowered) && !lowered.hasSuffix(".truth.json")
  }

  private func readDirectory(_ path: String, request: SeriesRequest) throws(IngestError) -> [NamedSeries] {
    var unreadable: [String] = []
    let files = Self.logFiles(in: path, unreadable: &unreadable)
    guard !files.isEmpty else {
      throw .cannotOpen(source: path, reason: "a directory with no log files (*.csv, *.jsonl, *.log, *.txt, *.json, events.out.tfevents.*)")
    }
    var result: [NamedSeries] = []
    var skipped: [String] = unreadable
    for file in files {
      let full = path.hasSuffix("/") ? path + file : path + "/" + file
      do {
        for named in try readAll(path: full, request: request) {
          let label = named.name == named.series.origin.lossColumn ? file : "\(file) [\(named.name)]"
          result.append(NamedSeries(name: label, series: named.series))
        }
      } catch {
        skipped.append("\(file) (\(error.description.replacingOccurrences(of: full + ": ", with: "")))")
      }
    }
    guard !result.isEmpty else {
      throw .cannotOpen(source: path, reason: "no file in it holds a loss series: " + skipped.prefix(5).joined(separator: "; "))
    }
    if !skipped.isEmpty {
      result[0].series.origin.notes.append("skipped in \(path): " + skipped.prefix(10).joined(separator: "; "))
    }
    return result
  }

  /// Log files under `path` (three levels deep at most), sorted by relative path.
  ///
  /// Everything is stat-ed before it is opened: a FIFO would block the walk for ever on open,
  /// and a device is not a log, so what is not a regular file is left out and named in
  /// `unreadable`. Each file and directory is visited once by its device and inode, so a symlink
  /// loop or two links to one log do not read it twice.
  static func logFiles(in path: String, depth: Int = 3, unreadable: inout [String]) -> [String] {
    var visited = Set<FileIdentity>()
    if let root = FileIdentity(path) { visited.insert(root) }
    return logFiles(in: path, depth: depth, visited: &visited, unreadable: &unreadable)
  }

  static func logFiles(in path: String, depth: Int = 3) -> [String] {
    var unreadable: [String] = []
    return logFiles(in: path, depth: depth, unreadable: &unreadable)
  }

  private static func logFiles(
    in path: String, depth: Int, visited: inout Set<FileIdentity>, unreadable: inout [String]
  ) -> [String] {
    guard depth > 0, let names = try? FileManager.default.contentsOfDirectory(atPath: path) else { return [] }
    var files: [String] = []
    for name in names.sorted() where !name.hasPrefix(".") {
      let full = path + "/" + name
      var status = stat()
      guard stat(full, &status) == 0, let identity = FileIdentity(status) else { continue }
      switch status.st_mode & S_IFMT {
      case S_IFDIR:
        guard visited.insert(identity).inserted else { continue }
        var nested: [String] = []
        files += logFiles(in: full, depth: depth - 1, visited: &visited, unreadable: &nested).map { name + "/" + $0 }
        unreadable += nested.map { name + "/" + $0 }
      case S_IFREG:
        guard isLogFile(name), visited.insert(identity).inserted else { continue }
        files.append(name)
      default:
        if isLogFile(name) { unreadable.append("\(name) (not a regular file: a pipe, socket or device)") }
      }
    }
    return files
  }

  private func isDirectory(_ path: String) -> Bool {
    var status = stat()
    return stat(path, &status) == 0 && (status.st_mode & S_IFMT) == S_IFDIR
  }

  // MARK: - Whole inputs

  static func readFile(_ path: String, limit: Int) throws(IngestError) -> [UInt8] {
    guard let handle = FileHandle(forReadingAtPath: path) else {
      throw .cannotOpen(source: path, reason: String(cString: strerror(errno)))
    }
    defer { try? handle.close() }
    let data = (try? handle.read(upToCount: limit + 1)) ?? Data()
    if data.count > limit { throw .cannotOpen(source: path, reason: "larger than \(limit >> 20) MiB, the most read whole") }
    return [UInt8](data)
  }

  /// The rest of a stream, at most `limit` bytes.
  static func readRest(_ descriptor: Int32, source: String, limit: Int) throws(IngestError) -> [UInt8] {
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 1 << 20)
    while true {
      let got = buffer.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
      if got < 0 && errno == EINTR { continue }
      guard got > 0 else { break }
      bytes.append(contentsOf: buffer[0..<got])
      // `limit` is what may follow the head, which is full whenever there is more to read.
      if bytes.count > limit { throw .cannotOpen(source: source, reason: "larger than \((limit + headBytes) >> 20) MiB, the most read whole") }
    }
    return bytes
  }
}

/// A file's device and inode: the same file under two names, or through a symlink loop.
struct FileIdentity: Hashable {
  let device: UInt64
  let inode: UInt64

  init?(_ status: stat) {
    device = UInt64(status.st_dev)
    inode = UInt64(status.st_ino)
  }

  init?(_ path: String) {
    var status = stat()
    guard stat(path, &status) == 0 else { return nil }
    self.init(status)
  }
}
