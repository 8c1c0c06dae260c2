import Dispatch
import Foundation
import LeastSquares

/// Fits `L(N, D)` from a grid of starting points with our Levenberg–Marquardt engine, on both
/// cores, keeping the start with the lowest objective.
public struct ScalingLawFitter: Sendable {
  /// `nil` for plain least squares on log residuals; the default is Huber with δ = 1e-3.
  public var delta: Double?
  public var solver: LevenbergMarquardt
  /// Iterations each start gets in the screening pass. Default 8: on generated 250-run tables
  /// (seeds 0–2) screening with 4, 6, 8 or 200 iterations ends at the same optimum to 1e-12.
  public var screeningIterations = 8
  /// Distinct screened starts polished to full convergence. Default 24.
  public var polishCount = 24
  /// Runs the screening pass sees at most (an even spread of the table). Default 192: on the
  /// Chinchilla, Porian and Gadre tables and generated ones of 250, 1,000 and 5,000 runs the optimum is
  /// the one full screening finds, to 1e-9 in the objective.
  public var screeningRowLimit = 192

  public init(delta: Double? = 1e-3, solver: LevenbergMarquardt = LevenbergMarquardt()) {
    self.delta = delta
    self.solver = solver
  }

  /// The initialisation grid of Hoffmann et al. (2022) as Besiroglu et al. (2024) ran it:
  /// α, β ∈ {0, 0.5, 1, 1.5, 2}; e ∈ {−1, −0.5, 0, 0.5, 1}; a, b ∈ {0, 5, …, 25} (4,500 starts
  /// for both terms, 150 for one).
  public static func grid(_ form: ScalingLaw.Form) -> [[Double]] {
    let exponents = [0, 0.5, 1, 1.5, 2]
    let es = [-1, -0.5, 0, 0.5, 1]
    let logs = [0.0, 5, 10, 15, 20, 25]
    var starts: [[Double]] = []
    switch form {
    case .both:
      for a in logs { for b in logs { for e in es { for alpha in exponents { for beta in exponents {
        starts.append([a, b, e, alpha, beta])
      } } } } }
    case .data, .parameters:
      for x in logs { for e in es { for exponent in exponents { starts.append([x, e, exponent]) } } }
    }
    return starts
  }

  /// Fits the law to runs `(n, d, loss)`; `n` (or `d`) is ignored by a one-variable form.
  ///
  /// - Throws: `ScalingError` when there are too few runs or a value is not positive.
  public func fit(
    n: [Double], d: [Double], loss: [Double], form: ScalingLaw.Form
  ) throws(ScalingError) -> ScalingFit {
    let problem = try makeProblem(n: n, d: d, loss: loss, form: form)
    let starts = Self.grid(form)
    // Screen every start with a short run, then polish the most promising to full convergence.
    var screening = solver
    screening.options.maxIterations = screeningIterations
    // Screening only ranks starts: Cholesky on JᵀJ (QR when that fails) is enough for 8 steps.
    screening.options.normalEquations = true
    // Screening only ranks the starts, and an evenly spread subset of the runs ranks them as the
    // whole table does; the polish below sees every run.
    let screenedRows = Self.screeningRows(count: loss.count, limit: screeningRowLimit)
    let screeningProblem = screenedRows.count == loss.count
      ? problem
      : try makeProblem(
        n: screenedRows.map { n[$0] }, d: screenedRows.map { d[$0] }, loss: screenedRows.map { loss[$0] }, form: form)
    let screened = Self.runAll(screeningProblem, starts: starts, solver: screening, keepDiagnostics: false)
    let order = screened.indices.sorted {
      (screened[$0].objective, $0) < (screened[$1].objective, $1)
    }
    var polishStarts: [[Double]] = []
    for index in order where polishStarts.count < polishCount {
      guard let parameters = screened[index].summary?.parameters else { continue }
      // Starts that already sit together need polishing once.
      let duplicate = polishStarts.contains { other in
        zip(other, parameters).allSatisfy { abs($0 - $1) <= 1e-6 * max(1, abs($1)) }
      }
      if !duplicate { polishStarts.append(parameters) }
    }
    let results = Self.runAll(problem, starts: polishStarts, solver: solver)
    // Lowest objective wins; ties go to the earliest start, so the answer never depends on
    // thread timing.
    var bestIndex = 0
    for index in results.indices where results[index].objective < results[bestIndex].objective {
      bestIndex = index
    }
    guard let best = results[bestIndex].summary, best.finalCost.isFinite else {
      throw .noFit
    }
    let converged = screened.filter { $0.summary?.converged == true }.count
    // On a subset the screened objectives are on another scale: compare with the best of them.
    let reference = screenedRows.count == loss.count ? best.finalCost : (screened.map(\.objective).min() ?? best.finalCost)
    let sameOptimum = screened.filter { abs($0.objective - reference) <= 1e-3 * reference }.count
    return ScalingFit(
      law: problem.law(best.parameters), form: form, parameters: best.parameters,
      objective: best.finalCost, delta: delta, converged: best.converged,
      termination: best.reason, starts: starts.count, startsConverged: converged,
      startsAtOptimum: sameOptimum, runs: loss.count)
  }

  /// `limit` row indices spread evenly over `0..<count` (all of them when `count <= limit`).
  static func screeningRows(count: Int, limit: Int) -> [Int] {
    guard count > limit, limit > 0 else { return Array(0..<count) }
    return (0..<limit).map { $0 * count / limit }
  }

  /// Runs the solver from every start on all cores; slot `k` holds start `k`'s result.
  ///
  /// Without `keepDiagnostics` each summary drops its residuals and Jacobian: 4,500 screened
  /// starts of a 5,000-run table kept 4,500 n×5 Jacobians, over a gigabyte, for a ranking that
  /// needs the objective and the parameters.
  static func runAll(
    _ problem: ScalingLawProblem, starts: [[Double]], solver: LevenbergMarquardt, keepDiagnostics: Bool = true
  ) -> [(objective: Double, summary: LevenbergMarquardt.Summary?)] {
    var results = [(objective: Double, summary: LevenbergMarquardt.Summary?)](
      repeating: (.infinity, nil), count: starts.count)
    let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, 8))
    results.withUnsafeMutableBufferPointer { buffer in
      nonisolated(unsafe) let slots = buffer
      DispatchQueue.concurrentPerform(iterations: workers) { worker in
        // Interleaved chunks keep the cores equally loaded; each slot is written once.
        for index in stride(from: worker, to: starts.count, by: workers) {
          var summary = solver.minimize(problem, from: starts[index])
          if !keepDiagnostics {
            summary.residuals = []
            summary.jacobian = Matrix(rows: 0, columns: 0)
          }
          let objective = summary.finalCost.isFinite ? summary.finalCost : .infinity
          slots[index] = (objective, summary)
        }
      }
    }
    return results
  }

  /// The stopping rules a bootstrap refit needs: a percentile interval read to three figures
  /// does not need the optimum to 1e-12, and the start is already the full data's optimum, so
  /// a relative cost change of 1e-7 ends it. On the Chinchilla, Porian and Gadre tables the
  /// intervals moved by under 1% (less than 1,000 resamples' own noise) and the refits got 3–5× faster.
  static func bootstrapSolver(_ solver: LevenbergMarquardt) -> LevenbergMarquardt {
    var refit = solver
    refit.options.costTolerance = max(solver.options.costTolerance, 1e-7)
    refit.options.stepTolerance = max(solver.options.stepTolerance, 1e-7)
    refit.options.gradientTolerance = max(solver.options.gradientTolerance, 1e-6)
    refit.options.maxIterations = min(solver.options.maxIterations, 60)
    refit.options.normalEquations = true
    return refit
  }

  /// Refits a bootstrap resample given as row indices into the table: each distinct row once,
  /// weighted by how often it was drawn (a resample holds about 63% distinct rows, so a third of
  /// the work of fitting the copies goes).
  func refit(
    n: [Double], d: [Double], loss: [Double], rows: [Int], form: ScalingLaw.Form, from start: [Double]
  ) -> ScalingLaw? {
    var counts = [Int](repeating: 0, count: loss.count)
    for row in rows { counts[row] += 1 }
    let distinct = counts.indices.filter { counts[$0] > 0 }
    guard var problem = try? makeProblem(
      n: distinct.map { n[$0] }, d: distinct.map { d[$0] }, loss: distinct.map { loss[$0] }, form: form)
    else { return nil }
    problem.rootWeights = distinct.map { Double(counts[$0]).squareRoot() }
    let summary = Self.bootstrapSolver(solver).minimize(problem, from: start)
    return summary.finalCost.isFinite ? problem.law(summary.parameters) : nil
  }

  private func makeProblem(
    n: [Double], d: [Double], loss: [Double], form: ScalingLaw.Form
  ) throws(ScalingError) -> ScalingLawProblem {
    let needed = form == .both ? 6 : 4
    guard loss.count >= needed else { throw .tooFewRuns(found: loss.count, needed: needed) }
    for i in loss.indices {
      let usesN = form != .data
      let usesD = form != .parameters
      if !(loss[i] > 0 && loss[i].isFinite) || (usesN && !(n[i] > 0 && n[i].isFinite))
        || (usesD && !(d[i] > 0 && d[i].isFinite))
      {
        throw .notPositive(row: i + 1)
      }
    }
    return ScalingLawProblem(
      form: form, logN: n.map { Foundation.log($0) }, logD: d.map { Foundation.log($0) },
      logL: loss.map { Foundation.log($0) }, delta: delta)
  }
}

/// The best fit of the grid and how the grid behaved.
public struct ScalingFit: Sendable {
  public var law: ScalingLaw
  public var form: ScalingLaw.Form
  /// The solver's parameters (log-sum-exp parametrisation), the start for refits.
  public var parameters: [Double]
  /// `Σ Huber_δ(r)` (or `½Σr²`) at the optimum.
  public var objective: Double
  public var delta: Double?
  public var converged: Bool
  public var termination: TerminationReason
  /// Starts in the grid, and how many converged within the screening budget.
  public var starts: Int
  public var startsConverged: Int
  /// Screened starts whose objective was already within 0.1% of the best.
  public var startsAtOptimum: Int
  public var runs: Int
}

/// Why a scaling table cannot be fitted.
public enum ScalingError: Error, Equatable, CustomStringConvertible {
  case tooFewRuns(found: Int, needed: Int)
  case notPositive(row: Int)
  case noFit

  public var description: String {
    switch self {
    case .tooFewRuns(let found, let needed):
      "\(found) runs, expected at least \(needed) to fit the law"
    case .notPositive(let row):
      "run \(row): N, D and loss must be positive and finite"
    case .noFit:
      "no start of the grid gave a finite objective"
    }
  }
}
