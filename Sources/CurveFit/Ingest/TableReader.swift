#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A small numeric table (one row per run), read by column name.
public struct Table: Sendable {
  public var source: String
  public var format: LogFormat
  /// Values by column key; rows missing any found column are skipped.
  public var values: [String: [Double]]
  /// The header each found key was read from.
  public var headers: [String: String]
  /// Keys whose values were scaled by a unit word in their header (`params_b`: 1e9).
  public var scales: [String: Double] = [:]
  public var columns: [String]
  public var rowsRead: Int
  public var rowsSkipped: Int
  /// SHA-256 of the input bytes, in hex.
  public var sha256: String?
  /// Every column's cells as written, for the rows kept, so runs can be filtered and grouped.
  public var labels: [String: TableLabels] = [:]

  public var rowCount: Int { values.values.first?.count ?? 0 }
}

/// One column's cells as text: the distinct values once, and each row's index into them.
public struct TableLabels: Sendable {
  public var distinct: [String]
  /// One UInt16 per cell: at most `LabelCollector.limit` distinct values are kept.
  public var codes: [UInt16]
  /// True when every non-empty cell parses as a number.
  public var numeric: Bool

  public func value(row: Int) -> String { distinct[Int(codes[row])] }
}

/// Reads CSV, TSV or JSON-lines tables of runs (hundreds of rows), picking columns by name.
///
/// Uses the same byte-level splitting and number parsing as the log reader. Columns not found
/// are simply absent from the result; the caller decides which are required.
public struct TableReader: Sendable {
  public var wanted: [TableColumn]

  public init(wanted: [TableColumn]) { self.wanted = wanted }

  public func read(path: String?) throws(IngestError) -> Table {
    guard let path, path != "-" else {
      return try read(LineReader(input: .descriptor(STDIN_FILENO), source: "<stdin>"))
    }
    let descriptor = open(path, O_RDONLY)
    guard descriptor >= 0 else {
      throw .cannotOpen(source: path, reason: String(cString: strerror(errno)))
    }
    defer { close(descriptor) }
    return try read(LineReader(input: .descriptor(descriptor), source: path))
  }

  public func read(bytes: [UInt8], source: String) throws(IngestError) -> Table {
    try read(LineReader(input: .memory(bytes), source: source))
  }

  private func read(_ reader: LineReader) throws(IngestError) -> Table {
    var reader = reader
    let digest = InputDigest()
    reader.digest = digest
    var lines: [(bytes: [UInt8], number: Int)] = []
    try reader.forEachLine { (line, number) throws(IngestError) -> Bool in
      if !line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { lines.append((Array(line), number)) }
      return true
    }
    let source = reader.source
    guard lines.first != nil else { throw .empty(source: source) }
    if lines[0].bytes.first(where: { $0 != 0x20 && $0 != 0x09 }) == UInt8(ascii: "[") {
      lines = try Self.recordLines(lines, source: source)
    }
    let first = lines[0]
    let format = first.bytes.withUnsafeBufferPointer { LogFormat.detect(firstLine: $0) }
    var cells: [[String: (bytes: [UInt8], number: Int)]] = []
    var columns: [String] = []
    switch format {
    case .csv, .tsv:
      let splitter = DelimitedReader(delimiter: format == .tsv ? 0x09 : UInt8(ascii: ","))
      columns = first.bytes.withUnsafeBufferPointer { splitter.headerNames($0) }
      if lines.count == 1 { throw .headerOnly(source: source) }
      for line in lines.dropFirst() {
        var row: [String: (bytes: [UInt8], number: Int)] = [:]
        line.bytes.withUnsafeBufferPointer { buffer in
          for (index, range) in splitter.fieldRanges(buffer).enumerated() where index < columns.count {
            row[columns[index]] = (Array(buffer[range]), line.number)
          }
        }
        cells.append(row)
      }
    case .jsonl:
      var scanner = JSONLineScanner()
      var known = Set<String>()
      for line in lines {
        var row: [String: (bytes: [UInt8], number: Int)] = [:]
        do throws(JSONScanError) {
          try line.bytes.withUnsafeBufferPointer { buffer throws(JSONScanError) in
            try scanner.scan(buffer) { path, leaf in
              let name = String(decoding: path, as: UTF8.self)
              if known.insert(name).inserted { columns.append(name) }
              switch leaf {
              case .number(let range), .string(let range): row[name] = (Array(buffer[range]), line.number)
              case .null: row[name] = ([], line.number)
              case .boolean: break
              }
            }
          }
        } catch {
          throw .invalidJSON(SourceLocation(source: source, line: line.number), reason: error.reason)
        }
        cells.append(row)
      }
    }
    var table = try assemble(cells, columns: columns, source: source, format: format)
    table.sha256 = digest.hex
    return table
  }

  private func assemble(
    _ cells: [[String: (bytes: [UInt8], number: Int)]], columns: [String], source: String,
    format: LogFormat
  ) throws(IngestError) -> Table {
    var headers: [String: String] = [:]
    let lowered = columns.map { $0.lowercased() }
    for column in wanted {
      if let explicit = column.explicit {
        guard columns.contains(explicit) else {
          throw .noSuchColumn(source: source, flag: column.flag, name: explicit, columns: columns)
        }
        headers[column.key] = explicit
      } else {
        for alias in column.aliases {
          if let index = lowered.firstIndex(of: alias) {
            headers[column.key] = columns[index]
            break
          }
        }
      }
    }
    // Then, for what no alias found, a column named like it that no other key took.
    var scales: [String: Double] = [:]
    for column in wanted where headers[column.key] == nil && !column.namedLike.isEmpty {
      let taken = Set(headers.values)
      // A text column named like one (`hyperparams`, `param_group`) is not the variable.
      func numeric(_ header: String) -> Bool {
        guard let cell = cells.lazy.compactMap({ $0[header] }).first(where: { !$0.bytes.isEmpty }) else { return false }
        return column.scalesByName
          ? TableColumn.sizeNumber(cell.bytes) != nil : cell.bytes.withUnsafeBufferPointer { FastFloat.parse($0) } != nil
      }
      let index = lowered.indices.first { index in
        !taken.contains(columns[index])
          && column.namedLike.contains { lowered[index].contains($0) }
          && !column.unlike.contains { lowered[index].contains($0) }
          && numeric(columns[index])
      }
      guard let index else { continue }
      headers[column.key] = columns[index]
      let scale = column.scalesByName ? TableColumn.unitScale(columns[index]) : 1
      if scale != 1 { scales[column.key] = scale }
    }
    let sized = Set(wanted.filter(\.scalesByName).map(\.key))
    var values: [String: [Double]] = [:]
    for key in headers.keys { values[key] = [] }
    var skipped = 0
    var labels = LabelCollector(columns: columns)
    for row in cells {
      var parsed: [String: Double] = [:]
      var complete = true
      for (key, header) in headers {
        guard let cell = row[header], !cell.bytes.isEmpty else {
          complete = false
          continue
        }
        var number: Double?
        if sized.contains(key), let size = TableColumn.sized(cell.bytes) {
          number = size.lettered ? size.value : size.value * (scales[key] ?? 1)
        } else if !sized.contains(key) {
          number = cell.bytes.withUnsafeBufferPointer { FastFloat.parse($0) }.map { $0 * (scales[key] ?? 1) }
        }
        guard let number else {
          throw .badNumber(
            SourceLocation(source: source, line: cell.number), column: header,
            text: String(decoding: cell.bytes.prefix(64), as: UTF8.self))
        }
        parsed[key] = number
      }
      guard complete else {
        skipped += 1
        continue
      }
      for (key, value) in parsed { values[key, default: []].append(value) }
      labels.add(row)
    }
    var table = Table(
      source: source, format: format, values: values, headers: headers, columns: columns,
      rowsRead: cells.count, rowsSkipped: skipped, sha256: nil)
    table.labels = labels.result
    table.scales = scales
    return table
  }
}

/// Collects each column's cells as text, interning repeated values; a column with more distinct
/// values than `limit` (run names, ids) is dropped, since nobody groups by it.
private struct LabelCollector {
  static let limit = 1_000
  var columns: [String]
  var index: [String: [String: Int]] = [:]
  var distinct: [String: [String]] = [:]
  var codes: [String: [UInt16]] = [:]
  var numeric: [String: Bool] = [:]
  var dropped: Set<String> = []

  init(columns: [String]) { self.columns = columns }

  mutating func add(_ row: [String: (bytes: [UInt8], number: Int)]) {
    for column in columns where !dropped.contains(column) {
      let bytes = row[column]?.bytes ?? []
      let text = String(decoding: bytes.prefix(200), as: UTF8.self)
      if let code = index[column]?[text] {
        codes[column, default: []].append(UInt16(code))
        continue
      }
      let code = distinct[column]?.count ?? 0
      guard code < Self.limit else {
        dropped.insert(column)
        index[column] = nil
        distinct[column] = nil
        codes[column] = nil
        continue
      }
      index[column, default: [:]][text] = code
      distinct[column, default: []].append(text)
      codes[column, default: []].append(UInt16(code))
      if !bytes.isEmpty, bytes.withUnsafeBufferPointer({ FastFloat.parse($0) }) == nil {
        numeric[column] = false
      }
    }
  }

  var result: [String: TableLabels] {
    var labels: [String: TableLabels] = [:]
    for (column, values) in distinct where !dropped.contains(column) {
      labels[column] = TableLabels(distinct: values, codes: codes[column] ?? [], numeric: numeric[column] ?? true)
    }
    return labels
  }
}
