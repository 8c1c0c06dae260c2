/// A dense matrix of doubles stored column by column, as LAPACK expects.
///
/// Element (i, j) lives at `storage[i + j * rows]`. The type is a plain value: copying it copies
/// the numbers, so a LAPACK routine that overwrites its input never disturbs the caller's copy.
public struct Matrix: Equatable, Sendable {
  public let rows: Int
  public let columns: Int
  public var storage: [Double]

  /// Creates a matrix filled with `value`.
  public init(rows: Int, columns: Int, repeating value: Double = 0) {
    precondition(rows >= 0 && columns >= 0, "Matrix dimensions must be non-negative")
    self.rows = rows
    self.columns = columns
    self.storage = Array(repeating: value, count: rows * columns)
  }

  /// Creates a matrix from rows written the way they are read, for tests and small literals.
  public init(rowMajor values: [[Double]]) {
    let rowCount = values.count
    let columnCount = values.first?.count ?? 0
    precondition(values.allSatisfy { $0.count == columnCount }, "Rows must have equal length")
    self.init(rows: rowCount, columns: columnCount)
    for i in 0..<rowCount {
      for j in 0..<columnCount { self[i, j] = values[i][j] }
    }
  }

  public subscript(row: Int, column: Int) -> Double {
    get { storage[row + column * rows] }
    set { storage[row + column * rows] = newValue }
  }

  /// The Euclidean norm of one column.
  public func columnNorm(_ column: Int) -> Double {
    var sum = 0.0
    let base = column * rows
    for i in 0..<rows { sum += storage[base + i] * storage[base + i] }
    return sum.squareRoot()
  }

  /// `Aᵀ·v` for a vector of length `rows`.
  public func transposeTimes(_ vector: [Double]) -> [Double] {
    precondition(vector.count == rows, "Vector length must equal the row count")
    var result = [Double](repeating: 0, count: columns)
    for j in 0..<columns {
      var sum = 0.0
      let base = j * rows
      for i in 0..<rows { sum += storage[base + i] * vector[i] }
      result[j] = sum
    }
    return result
  }

  /// `Aᵀ·v` into a buffer of length `columns`, without allocating.
  public func transposeTimes(_ vector: [Double], into result: inout [Double]) {
    for j in 0..<columns {
      var sum = 0.0
      let base = j * rows
      for i in 0..<rows { sum += storage[base + i] * vector[i] }
      result[j] = sum
    }
  }

  /// `A·v` for a vector of length `columns`.
  public func times(_ vector: [Double]) -> [Double] {
    precondition(vector.count == columns, "Vector length must equal the column count")
    var result = [Double](repeating: 0, count: rows)
    for j in 0..<columns where vector[j] != 0 {
      let base = j * rows
      let v = vector[j]
      for i in 0..<rows { result[i] += storage[base + i] * v }
    }
    return result
  }
}

extension Matrix {
  /// The product `A·B`.
  public func times(_ other: Matrix) -> Matrix {
    precondition(columns == other.rows, "Inner dimensions must agree")
    var result = Matrix(rows: rows, columns: other.columns)
    for j in 0..<other.columns {
      for k in 0..<columns {
        let factor = other[k, j]
        if factor == 0 { continue }
        for i in 0..<rows { result[i, j] += self[i, k] * factor }
      }
    }
    return result
  }

  /// The product `A·Bᵀ`.
  public func timesTransposed(_ other: Matrix) -> Matrix {
    precondition(columns == other.columns, "Inner dimensions must agree")
    var result = Matrix(rows: rows, columns: other.rows)
    for i in 0..<rows {
      for j in 0..<other.rows {
        var sum = 0.0
        for k in 0..<columns { sum += self[i, k] * other[j, k] }
        result[i, j] = sum
      }
    }
    return result
  }
}
