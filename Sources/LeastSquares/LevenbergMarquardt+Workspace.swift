extension LevenbergMarquardt {
  /// The buffers one minimisation reuses on every iteration.
  struct Workspace {
    let m: Int
    let n: Int
    var gradient: [Double]
    var free: [Int]
    var step: [Double]
    var trial: [Double]
    var taken: [Double]
    var trialResiduals: [Double]
    var trialJacobian: Matrix
    var augmented: [Matrix]
    var rhs: [Double]
    var lapack: [Double] = []

    init(m: Int, n: Int) {
      self.m = m
      self.n = n
      gradient = [Double](repeating: 0, count: n)
      free = []
      free.reserveCapacity(n)
      step = gradient
      trial = gradient
      taken = gradient
      trialResiduals = [Double](repeating: 0, count: m)
      trialJacobian = Matrix(rows: m, columns: n)
      // One augmented matrix per possible count of free parameters, made on first use.
      augmented = []
      rhs = [Double](repeating: 0, count: m + n)
    }

    /// Solves `[J_free; √μ·D_free]·δ = −[r; 0]` by QR; fixed parameters get a zero step.
    mutating func solveDampedStep(_ jacobian: Matrix, _ r: [Double], scale: [Double], mu: Double) -> Bool {
      for j in 0..<n { step[j] = 0 }
      let k = free.count
      guard k > 0 else { return true }
      if augmented.isEmpty { augmented = (0...n).map { Matrix(rows: m + $0, columns: $0) } }
      var a = augmented[k]
      augmented[k] = Matrix(rows: 0, columns: 0)
      defer { augmented[k] = a }
      let rows = m + k
      let root = mu.squareRoot()
      for (column, j) in free.enumerated() {
        let base = column * rows
        let source = j * m
        for i in 0..<m { a.storage[base + i] = jacobian.storage[source + i] }
        for i in 0..<k { a.storage[base + m + i] = 0 }
        a.storage[base + m + column] = root * scale[j]
      }
      for i in 0..<m { rhs[i] = -r[i] }
      for i in m..<(m + n) { rhs[i] = 0 }
      if k < n { lapack = [] }  // a different shape needs its own workspace query
      guard LAPACK.solveQRInPlace(&a, &rhs, workspace: &lapack) else { return false }
      if k < n { lapack = [] }
      for (column, j) in free.enumerated() { step[j] = rhs[column] }
      return true
    }

    /// `‖r + J·taken‖²`, the linear model's prediction of the new cost.
    func linearisedSquares(_ jacobian: Matrix, _ r: [Double]) -> Double {
      var sum = 0.0
      for i in 0..<m {
        var value = r[i]
        for j in 0..<n where taken[j] != 0 { value += jacobian.storage[j * m + i] * taken[j] }
        sum += value * value
      }
      return sum
    }
  }
}
