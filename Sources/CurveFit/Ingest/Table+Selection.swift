/// Keeping and splitting the runs of a table by the text of its other columns
/// (`--where COL=VALUE`, `--group COL`).
extension Table {
  /// A `--where` condition: the column's cell equals the value (numerically when both are numbers).
  public struct Condition: Sendable, Equatable {
    public var column: String
    public var value: String

    public init(column: String, value: String) {
      self.column = column
      self.value = value
    }

    /// Parses `COL=VALUE`; nil when there is no `=` or either side is empty.
    public init?(parsing text: String) {
      guard let equals = text.firstIndex(of: "=") else { return nil }
      let column = String(text[..<equals]).trimmed
      let value = String(text[text.index(after: equals)...]).trimmed
      guard !column.isEmpty, !value.isEmpty else { return nil }
      self.init(column: column, value: value)
    }

    func matches(_ cell: String) -> Bool {
      if cell == value { return true }
      if let a = Double(cell), let b = Double(value) { return a == b }
      return false
    }
  }

  /// The rows whose cells meet every condition, or an error naming the column or the values present.
  public func keeping(_ conditions: [Condition]) throws(SelectionError) -> Table {
    var keep = Array(repeating: true, count: rowCount)
    for condition in conditions {
      guard let labels = labels[condition.column] else {
        throw .noSuchColumn(source: source, flag: "--where", name: condition.column, columns: columns)
      }
      let matching = labels.distinct.indices.filter { labels.distinct[$0] == condition.value || condition.matches(labels.distinct[$0]) }
      guard !matching.isEmpty else {
        throw .noMatch(source: source, column: condition.column, value: condition.value, values: labels.distinct)
      }
      let wanted = Set(matching)
      for row in keep.indices where !wanted.contains(Int(labels.codes[row])) { keep[row] = false }
    }
    return subset(keep.indices.filter { keep[$0] })
  }

  /// One table per distinct combination of the columns' values, in order of first appearance.
  public func grouped(by groupColumns: [String]) throws(SelectionError) -> [(key: [(column: String, value: String)], table: Table)] {
    var columnLabels: [TableLabels] = []
    for column in groupColumns {
      guard let labels = labels[column] else {
        throw .noSuchColumn(source: source, flag: "--group", name: column, columns: columns)
      }
      columnLabels.append(labels)
    }
    var order: [[Int]] = []
    var rowsByKey: [[Int]: [Int]] = [:]
    for row in 0..<rowCount {
      let key = columnLabels.map { Int($0.codes[row]) }
      if rowsByKey[key] == nil { order.append(key) }
      rowsByKey[key, default: []].append(row)
    }
    return order.map { key in
      let named = key.indices.map { (column: groupColumns[$0], value: columnLabels[$0].distinct[key[$0]]) }
      return (named, subset(rowsByKey[key] ?? []))
    }
  }

  /// The table restricted to the given rows, in their order.
  public func subset(_ rows: [Int]) -> Table {
    var table = self
    table.values = values.mapValues { column in rows.map { column[$0] } }
    table.labels = labels.mapValues { column in
      TableLabels(distinct: column.distinct, codes: rows.map { column.codes[$0] }, numeric: column.numeric)
    }
    return table
  }

  /// Text columns with a few values, each taking several runs and not just naming a model size:
  /// a config, a dataset, a split or an eval set that the runs should not be pooled across.
  public func dividingColumns(excluding used: Set<String>, sizes: [Double]) -> [(column: String, values: [String])] {
    columns.compactMap { column in
      guard !used.contains(column), let labels = labels[column], !labels.numeric else { return nil }
      var counts = Array(repeating: 0, count: labels.distinct.count)
      var sizesByValue = Array(repeating: Set<Double>(), count: labels.distinct.count)
      for (row, code) in labels.codes.enumerated() {
        counts[Int(code)] += 1
        if row < sizes.count { sizesByValue[Int(code)].insert(sizes[row]) }
      }
      let present = counts.indices.filter { counts[$0] > 0 }
      guard (2...12).contains(present.count), present.allSatisfy({ counts[$0] >= 2 }) else { return nil }
      // A model name is one size per value: it labels the runs, it does not split them.
      if present.allSatisfy({ sizesByValue[$0].count <= 1 }) { return nil }
      return (column, present.map { labels.distinct[$0] })
    }
  }
}

/// Why `--where` or `--group` could not be applied.
public enum SelectionError: Error, Sendable, Equatable {
  case noSuchColumn(source: String, flag: String, name: String, columns: [String])
  case noMatch(source: String, column: String, value: String, values: [String])

  public var message: String {
    switch self {
    case .noSuchColumn(let source, let flag, let name, let columns):
      return "\(source): \(flag) names column '\(name)', which is not in the table; columns are \(columns.joined(separator: ", "))"
    case .noMatch(let source, let column, let value, let values):
      let shown = values.prefix(12).joined(separator: ", ") + (values.count > 12 ? ", …" : "")
      return "\(source): no run has \(column)=\(value); its values are \(shown)"
    }
  }
}

extension String {
  fileprivate var trimmed: String {
    var text = Substring(self)
    while text.first == " " { text.removeFirst() }
    while text.last == " " { text.removeLast() }
    return String(text)
  }
}
