import Foundation

/// A long table of metrics, one row per metric and step (MLflow's `key,value,step,timestamp`,
/// tbparse's `step,tag,value`), turned into the table curvefit reads: one column per metric,
/// one row per step. Such exports are a chart's worth of rows, so they are pivoted whole.
enum LongMetricTable {
  /// The largest table pivoted: exports are a chart's worth of rows, and pivoting holds every
  /// cell as a string (a 63 MB table of 1.5M rows: 3.0 s, 344 MiB peak).
  static let limit = 64 << 20

  /// The pivoted CSV and how many rows had no finite step (skipped), or `nil` when `bytes` is
  /// not such a table (no metric-name, value and step columns) or holds no rows.
  ///
  /// - Throws: `IngestError.badNumber` naming the file's own line for a value that is not a
  ///   number: the pivoted table's line numbers would point nowhere.
  static func pivot(_ bytes: [UInt8], source: String) throws(IngestError) -> (bytes: [UInt8], skipped: Int)? {
    var lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false).enumerated().makeIterator()
    guard let (_, headerLine) = lines.next() else { return nil }
    let header = fields(headerLine)
    guard let (nameColumn, valueColumn) = IngestError.longMetricColumns(header),
      let name = header.firstIndex(of: nameColumn), let value = header.firstIndex(of: valueColumn)
    else { return nil }
    let lowered = header.map { $0.lowercased() }
    guard let step = ColumnSelection.stepAliases.lazy.compactMap({ lowered.firstIndex(of: $0) }).first else { return nil }
    var metrics: [String] = []
    var metricIndex: [String: Int] = [:]
    var rows: [Double: [Int: String]] = [:]
    var stepText: [Double: String] = [:]
    var skipped = 0
    for (index, line) in lines {
      guard line.contains(where: { $0 != 0x0D && $0 != 0x20 }) else { continue }
      let cells = fields(line)
      guard cells.count > max(name, value, step), let stepValue = Double(cells[step]), stepValue.isFinite else {
        skipped += 1
        continue
      }
      guard cells[value].isEmpty || Double(cells[value]) != nil else {
        throw .badNumber(SourceLocation(source: source, line: index + 1), column: header[value], text: cells[value])
      }
      let metric = cells[name]
      let column: Int
      if let known = metricIndex[metric] {
        column = known
      } else {
        column = metrics.count
        metricIndex[metric] = column
        metrics.append(metric)
      }
      rows[stepValue, default: [:]][column] = cells[value]
      if stepText[stepValue] == nil { stepText[stepValue] = cells[step] }
    }
    guard !rows.isEmpty else { return nil }
    var out = header[step] + "," + metrics.map(quoted).joined(separator: ",") + "\n"
    for stepValue in rows.keys.sorted() {
      let cells = rows[stepValue] ?? [:]
      out += (stepText[stepValue] ?? "") + "," + metrics.indices.map { cells[$0] ?? "" }.joined(separator: ",") + "\n"
    }
    return (Array(out.utf8), skipped)
  }

  /// Whether the first line of `head` is a long table's header: a metric-name, a value and a
  /// step column.
  static func opens(_ head: [UInt8]) -> Bool {
    let end = head.firstIndex(of: 0x0A) ?? head.endIndex
    let header = fields(head[..<end])
    let lowered = header.map { $0.lowercased() }
    return IngestError.longMetricColumns(header) != nil && ColumnSelection.stepAliases.contains { lowered.contains($0) }
  }

  /// The comma-separated fields of `line`, double quotes removed (`"a,b"` is one field).
  private static func fields(_ line: ArraySlice<UInt8>) -> [String] {
    var fields: [String] = []
    var field: [UInt8] = []
    var inQuotes = false
    for byte in line where byte != 0x0D {
      if byte == UInt8(ascii: "\"") {
        inQuotes.toggle()
      } else if byte == UInt8(ascii: ","), !inQuotes {
        fields.append(String(decoding: field, as: UTF8.self).trimmingSpaces)
        field.removeAll(keepingCapacity: true)
      } else {
        field.append(byte)
      }
    }
    fields.append(String(decoding: field, as: UTF8.self).trimmingSpaces)
    return fields
  }

  private static func quoted(_ name: String) -> String {
    name.contains(",") || name.contains("\"") ? "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : name
  }
}

extension String {
  fileprivate var trimmingSpaces: String {
    var view = Substring(self)
    while view.first == " " { view.removeFirst() }
    while view.last == " " { view.removeLast() }
    return String(view)
  }
}
