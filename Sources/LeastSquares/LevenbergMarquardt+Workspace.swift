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
    /// `JᵀJ` (n×n, column-major) when steps are solved by normal equations; empty otherwise.
    var normal: [Double] = []
    var factor: [Double] = []

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

    /// Forms `JᵀJ` for `solveByNormalEquations` (once per accepted Jacobian).
    mutating func formNormalMatrix(_ jacobian: Matrix) {
      if normal.count != n * n { normal = [Double](repeating: 0, count: n * n) }
      jacobian.storage.withUnsafeBufferPointer { j in
        for a in 0..<n {
          for b in a..<n {
            var sum = 0.0
            let ca = a * m
            let cb = b * m
            for i in 0..<m { sum += j[ca + i] * j[cb + i] }
            normal[a * n + b] = sum
            normal[b * n + a] = sum
          }
        }
      }
    }

    /// Solves `(J_freeᵀJ_free + μ·D²)·δ = −J_freeᵀr` by Cholesky, from `normal` and `gradient`;
    /// false when the damped matrix is not numerically positive definite (the caller falls back to QR).
    mutating func solveByNormalEquations(scale: [Double], mu: Double) -> Bool {
      for j in 0..<n { step[j] = 0 }
      let k = free.count
      guard k > 0 else { return true }
      if factor.count < k * k { factor = [Double](repeating: 0, count: n * n) }
      for (p, a) in free.enumerated() {
        for (q, b) in free.enumerated() { factor[p * k + q] = normal[a * n + b] }
        factor[p * k + p] += mu * scale[a] * scale[a]
      }
      // In-place Cholesky, lower triangle.
      for p in 0..<k {
        var diagonal = factor[p * k + p]
        for t in 0..<p { diagonal -= factor[p * k + t] * factor[p * k + t] }
        guard diagonal > 1e-12 * max(factor[p * k + p], .leastNormalMagnitude), diagonal.isFinite else { return false }
        let root = diagonal.squareRoot()
        factor[p * k + p] = root
        for q in (p + 1)..<max(p + 1, k) {
          var value = factor[q * k + p]
          for t in 0..<p { value -= factor[q * k + t] * factor[p * k + t] }
          factor[q * k + p] = value / root
        }
      }
      var y = free.map { -gradient[$0] }
      for p in 0..<k {
        for t in 0..<p { y[p] -= factor[p * k + t] * y[t] }
        y[p] /= factor[p * k + p]
      }
      for p in stride(from: k - 1, through: 0, by: -1) {
        for t in (p + 1)..<max(p + 1, k) { y[p] -= factor[t * k + p] * y[t] }
        y[p] /= factor[p * k + p]
      }
      for (p, j) in free.enumerated() { step[j] = y[p] }
      return step.allSatisfy(\.isFinite)
    }

    /// `‖r + J·taken‖²`, the linear model's prediction of the new cost.
    func linearisedSquares(_ jacobian: Matrix, _ r: [Double]) -> Double {
      if normal.count == n * n {
        // ‖r‖² + 2·takenᵀJᵀr + takenᵀJᵀJ·taken, without another pass over the rows.
        var sum = 0.0
        for value in r { sum += value * value }
        for a in 0..<n where taken[a] != 0 {
          sum += 2 * taken[a] * gradient[a]
          for b in 0..<n where taken[b] != 0 { sum += taken[a] * normal[a * n + b] * taken[b] }
        }
        return sum
      }
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
