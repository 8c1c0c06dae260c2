extension IngestSession {
  /// Columns are chosen and no lines are held back: the rest can be parsed anywhere.
  var isReady: Bool { resolvedColumns != nil && heldLines == 0 }

  /// A fresh session with this one's format and columns, for a worker parsing another range.
  func worker() -> IngestSession {
    let copy = IngestSession(source: source, selection: selection)
    copy.adopt(configurationOf: self)
    return copy
  }

  /// Appends a worker's rows after this session's. Row-number steps are shifted by the rows
  /// before them.
  func append(_ other: IngestSession) {
    appendRows(of: other, rowOffset: rowCount)
  }
}
