import Testing

@testable import LeastSquares

@Suite struct LAPACKTests {
  // A = [[1,1],[1,2],[1,3],[1,4]], b = [6,5,7,10]: the normal equations by hand give
  // AᵀA = [[4,10],[10,30]], Aᵀb = [28,77], so x = [3.5, 1.4].
  let a = Matrix(rowMajor: [[1, 1], [1, 2], [1, 3], [1, 4]])
  let b = [6.0, 5, 7, 10]

  @Test func qrMatchesHandSolvedLine() throws {
    let solution = try #require(LAPACK.solveQR(a, b))
    #expect(abs(solution.x[0] - 3.5) < 1e-12)
    #expect(abs(solution.x[1] - 1.4) < 1e-12)
  }

  @Test func svdMatchesHandSolvedLine() throws {
    let solution = try #require(LAPACK.solveSVD(a, b))
    #expect(abs(solution.x[0] - 3.5) < 1e-12)
    #expect(abs(solution.x[1] - 1.4) < 1e-12)
    #expect(solution.rank == 2)
  }

  @Test func squareSystemRecoversKnownX() throws {
    // A·x = b built from x = [1, −2, 3].
    let square = Matrix(rowMajor: [[4, -2, 1], [3, 6, -4], [2, 1, 8]])
    let x = [1.0, -2, 3]
    let solution = try #require(LAPACK.solveQR(square, square.times(x)))
    for k in 0..<3 { #expect(abs(solution.x[k] - x[k]) < 1e-12) }
  }

  @Test func svdReportsRankDeficiency() throws {
    // The second column is twice the first: rank 1; minimum-norm solution of x1 + 2·x2 = 3 is
    // x = 3·(1,2)/5 = (0.6, 1.2).
    let deficient = Matrix(rowMajor: [[1, 2], [1, 2], [1, 2]])
    let solution = try #require(LAPACK.solveSVD(deficient, [3, 3, 3]))
    #expect(solution.rank == 1)
    #expect(abs(solution.x[0] - 0.6) < 1e-12)
    #expect(abs(solution.x[1] - 1.2) < 1e-12)
  }

  @Test func qrRefusesNonFiniteInput() {
    let bad = Matrix(rowMajor: [[1, .nan], [1, 2]])
    #expect(LAPACK.solveQR(bad, [1, 2]) == nil)
  }

  @Test func singularValuesOfDiagonal() throws {
    let diagonal = Matrix(rowMajor: [[3, 0], [0, 4], [0, 0]])
    let (values, _) = try #require(LAPACK.singularValues(diagonal))
    #expect(abs(values[0] - 4) < 1e-12)
    #expect(abs(values[1] - 3) < 1e-12)
  }
}
