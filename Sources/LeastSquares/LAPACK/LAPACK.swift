import CLAPACKE

/// Thin, checked wrappers over the LAPACK routines the solver needs.
///
/// This is the only file that imports `CLAPACKE`. A negative `info` means we passed LAPACK an
/// illegal argument, which is a bug in this file, so it stops the program naming the routine and
/// the argument. A positive `info` is a numerical failure and comes back as `nil` or a flag.
public enum LAPACK {
  /// The least-squares solution of an overdetermined or square system.
  public struct LeastSquaresSolution: Sendable {
    /// The minimiser `x` of `‖A·x − b‖₂`, of length `A.columns`.
    public var x: [Double]
    /// The effective rank LAPACK used; equals `A.columns` for a full-rank system.
    public var rank: Int
  }

  /// Solves `min ‖A·x − b‖₂` by Householder QR (`dgels`).
  ///
  /// Requires `A.rows ≥ A.columns`. Returns `nil` when `A` does not have full column rank
  /// (LAPACK reports a zero diagonal element of R) or holds NaN or infinity.
  public static func solveQR(_ a: Matrix, _ b: [Double]) -> LeastSquaresSolution? {
    precondition(a.rows >= a.columns, "dgels here expects rows >= columns")
    precondition(b.count == a.rows, "Right-hand side length must equal the row count")
    guard a.columns > 0 else { return LeastSquaresSolution(x: [], rank: 0) }
    guard a.storage.allSatisfy(\.isFinite), b.allSatisfy(\.isFinite) else { return nil }
    var work = a.storage
    var rhs = b
    let info = LAPACKE_dgels(
      LAPACK_COL_MAJOR, CChar(UInt8(ascii: "N")), Int32(a.rows), Int32(a.columns), 1,
      &work, Int32(a.rows), &rhs, Int32(a.rows))
    check(info, routine: "dgels")
    guard info == 0 else { return nil }
    return LeastSquaresSolution(x: Array(rhs.prefix(a.columns)), rank: a.columns)
  }

  /// Solves `min ‖A·x − b‖₂` by QR in place, reusing `workspace` between calls
  /// (`dgels_work`), for solvers that solve thousands of small systems.
  ///
  /// `a` is overwritten by its factorisation and `b[0..<a.columns]` by the solution. Returns
  /// `false` when `A` does not have full column rank or holds NaN or infinity.
  public static func solveQRInPlace(
    _ a: inout Matrix, _ b: inout [Double], workspace: inout [Double]
  ) -> Bool {
    precondition(a.rows >= a.columns && b.count >= a.rows, "dgels here expects rows >= columns")
    guard a.columns > 0 else { return true }
    for value in a.storage where !value.isFinite { return false }
    for value in b where !value.isFinite { return false }
    let (m, n) = (Int32(a.rows), Int32(a.columns))
    if workspace.isEmpty {
      var query = 0.0
      let info = LAPACKE_dgels_work(
        LAPACK_COL_MAJOR, CChar(UInt8(ascii: "N")), m, n, 1, &a.storage, m, &b, m, &query, -1)
      check(info, routine: "dgels_work")
      workspace = [Double](repeating: 0, count: max(1, Int(query)))
    }
    let info = LAPACKE_dgels_work(
      LAPACK_COL_MAJOR, CChar(UInt8(ascii: "N")), m, n, 1, &a.storage, m, &b, m,
      &workspace, Int32(workspace.count))
    check(info, routine: "dgels_work")
    return info == 0
  }

  /// Solves `min ‖A·x − b‖₂` by the SVD (`dgelsd`), returning the minimum-norm solution.
  ///
  /// Singular values below `rcond · σ_max` are treated as zero, so rank-deficient systems get a
  /// stable answer and report their effective rank. Returns `nil` if the SVD fails to converge or
  /// the input holds NaN or infinity.
  public static func solveSVD(
    _ a: Matrix, _ b: [Double], rcond: Double = -1
  ) -> LeastSquaresSolution? {
    precondition(b.count == a.rows, "Right-hand side length must equal the row count")
    guard a.columns > 0 else { return LeastSquaresSolution(x: [], rank: 0) }
    guard a.storage.allSatisfy(\.isFinite), b.allSatisfy(\.isFinite) else { return nil }
    var work = a.storage
    let ldb = max(a.rows, a.columns)
    var rhs = b + [Double](repeating: 0, count: ldb - a.rows)
    var singular = [Double](repeating: 0, count: min(a.rows, a.columns))
    var rank: Int32 = 0
    let info = LAPACKE_dgelsd(
      LAPACK_COL_MAJOR, Int32(a.rows), Int32(a.columns), 1, &work, Int32(a.rows),
      &rhs, Int32(ldb), &singular, rcond, &rank)
    check(info, routine: "dgelsd")
    guard info == 0 else { return nil }
    return LeastSquaresSolution(x: Array(rhs.prefix(a.columns)), rank: Int(rank))
  }

  /// The thin singular value decomposition `A = U·Σ·Vᵀ` (`dgesvd`), without `U`.
  ///
  /// Returns the singular values in descending order and `Vᵀ` as a `columns × columns` matrix,
  /// or `nil` if the input holds NaN or infinity or the iteration fails to converge.
  public static func singularValues(
    _ a: Matrix
  ) -> (values: [Double], vTransposed: Matrix)? {
    guard a.rows > 0, a.columns > 0 else { return nil }
    guard a.storage.allSatisfy(\.isFinite) else { return nil }
    var work = a.storage
    let k = min(a.rows, a.columns)
    var singular = [Double](repeating: 0, count: k)
    var vt = Matrix(rows: a.columns, columns: a.columns)
    var u = [Double](repeating: 0, count: 1)
    var superb = [Double](repeating: 0, count: max(1, k - 1))
    let info = LAPACKE_dgesvd(
      LAPACK_COL_MAJOR, CChar(UInt8(ascii: "N")), CChar(UInt8(ascii: "A")),
      Int32(a.rows), Int32(a.columns), &work, Int32(a.rows), &singular,
      &u, 1, &vt.storage, Int32(a.columns), &superb)
    check(info, routine: "dgesvd")
    guard info == 0 else { return nil }
    return (singular, vt)
  }

  private static func check(_ info: Int32, routine: String) {
    if info < 0 {
      preconditionFailure("LAPACK \(routine): argument \(-info) had an illegal value")
    }
  }
}
