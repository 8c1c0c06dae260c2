#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The hot loop of CSV and TSV ingest: rows whose wanted cells are plain decimal numbers.
///
/// Ten million rows leave no room for a call, a bounds check or a field table per cell, so this
/// walks a block of whole lines with raw pointers, parses the wanted cells as it meets them
/// (skipping the others up to the next delimiter) and stops at the first line it does not
/// understand: a quote, a blank or unusual cell, a short row, a number outside Clinger's fast
/// path (`FastFloat.prefix`). That line goes through `IngestSession`'s general parser, which reads or rejects it with
/// a precise message, and this loop resumes after it. Every number it accepts is correctly
/// rounded, so both paths give the same doubles.
struct DelimitedRowParser {
  let delimiter: UInt8
  /// Column indices, −1 for a column not kept.
  let step: Int
  let loss: Int
  let gradNorm: Int
  let learningRate: Int
  /// The last column to read; the rest of a line is only searched for its newline.
  let last: Int

  init(delimiter: UInt8, columns: ColumnSelection.Resolved) {
    self.delimiter = delimiter
    step = columns.step ?? -1
    loss = columns.loss
    gradNorm = columns.gradNorm ?? -1
    learningRate = columns.learningRate ?? -1
    last = max(max(step, loss), max(gradNorm, learningRate))
  }

  /// Parses rows from `offset` on while they are plain, appending to `kept`.
  ///
  /// - Parameter rowsBefore: data rows before this block, for the row-number steps of a log
  ///   without a step column.
  /// - Returns: the offset of the first line not taken (`block.count` when all were) and how many
  ///   rows were taken; each was one line.
  func parseRows(
    _ block: UnsafeBufferPointer<UInt8>, from offset: Int, rowsBefore: Int, into kept: inout KeptColumns
  ) -> (end: Int, rows: Int) {
    guard let base = block.baseAddress else { return (offset, 0) }
    // Rows are gathered in a small batch and appended a batch at a time: an append per cell
    // costs a uniqueness and a capacity check each.
    let batch = 1_024
    return withUnsafeTemporaryAllocation(of: Double.self, capacity: 4 * batch) { buffer in
      guard let cells = buffer.baseAddress else { return (offset, 0) }
      let end = base + block.count
      var line = base + offset
      var rows = 0
      var pending = 0
      while line < end {
        guard let next = parseRow(line, end, into: cells + pending, stride: batch) else { break }
        line = next
        rows += 1
        if step < 0 { cells[pending] = Double(rowsBefore + rows) }
        pending += 1
        if pending == batch {
          flush(cells, pending, stride: batch, into: &kept)
          pending = 0
        }
      }
      flush(cells, pending, stride: batch, into: &kept)
      return (line - base, rows)
    }
  }

  /// Parses the line at `line` into `cells[0]` (step), `cells[stride]` (loss), `cells[2 · stride]`
  /// (gradient norm) and `cells[3 · stride]` (learning rate); returns the start of the next line,
  /// or `nil` when the line is not plain.
  @inline(__always)
  private func parseRow(
    _ line: UnsafePointer<UInt8>, _ end: UnsafePointer<UInt8>, into cells: UnsafeMutablePointer<Double>,
    stride: Int
  ) -> UnsafePointer<UInt8>? {
    var cursor = line
    var field = 0
    while true {
      if field == loss || field == step || field == gradNorm || field == learningRate {
        guard let value = FastFloat.prefix(&cursor, end) else { return nil }
        if field == step { cells[0] = value }
        if field == loss { cells[stride] = value }
        if field == gradNorm { cells[2 * stride] = value }
        if field == learningRate { cells[3 * stride] = value }
      } else {
        // A quoted cell may hold the delimiter: the general parser splits it.
        if cursor < end, cursor.pointee == UInt8(ascii: "\"") { return nil }
        while cursor < end, cursor.pointee != delimiter, cursor.pointee != 0x0A { cursor += 1 }
      }
      if field == last { break }
      guard cursor < end, cursor.pointee == delimiter else { return nil }
      cursor += 1
      field += 1
    }
    guard cursor < end else { return end }
    let next = cursor.pointee
    guard next == delimiter || next == 0x0A || next == 0x0D else { return nil }
    // The rest of the line: usually a few short cells, quicker by hand than through memchr.
    let scanEnd = min(end, cursor + 32)
    while cursor < scanEnd, cursor.pointee != 0x0A { cursor += 1 }
    if cursor < scanEnd { return cursor + 1 }
    guard let newline = memchr(cursor, 0x0A, end - cursor) else { return end }
    return UnsafePointer(newline.assumingMemoryBound(to: UInt8.self)) + 1
  }

  private func flush(
    _ cells: UnsafeMutablePointer<Double>, _ count: Int, stride: Int, into kept: inout KeptColumns
  ) {
    guard count > 0 else { return }
    kept.steps.append(contentsOf: UnsafeBufferPointer(start: cells, count: count))
    kept.losses.append(contentsOf: UnsafeBufferPointer(start: cells + stride, count: count))
    if gradNorm >= 0 { kept.gradNorms.append(contentsOf: UnsafeBufferPointer(start: cells + 2 * stride, count: count)) }
    if learningRate >= 0 {
      kept.learningRates.append(contentsOf: UnsafeBufferPointer(start: cells + 3 * stride, count: count))
    }
  }
}
