import Foundation

/// What a table of finished runs implies: the fitted law with bootstrap intervals, the effect of
/// doubling data or parameters, predictions, and compute-optimal allocations.
public struct ScalingAnalysis: Sendable {
  public var table: Table
  /// True when `D` came from compute as `C / (6N)`.
  public var tokensFromCompute: Bool
  public var fit: ScalingFit
  public var resamples: Int
  public var resamplesUsed: Int
  public var seed: UInt64
  /// Named numbers with their point estimate and intervals, in report order.
  public var quantities: [Quantity]
  public var doublingAt: (n: Double, d: Double)
  public var predictions: [(n: Double, d: Double)]
  public var budgets: [Double]
  /// The runs as fitted (D derived from compute when needed).
  public var runs: (n: [Double], d: [Double], loss: [Double]) = ([], [], [])
  /// The isoFLOP profiles, when the table is a sweep (or `--isoflop` asked for them).
  public var isoflop: IsoFLOPAnalysis?

  /// A number with 80% and 95% bootstrap intervals.
  public struct Quantity: Sendable {
    public var name: String
    public var value: Double
    public var ci80: ClosedRange<Double>?
    public var ci95: ClosedRange<Double>?
  }

  public struct Options: Sendable {
    public var form: ScalingLaw.Form?
    public var delta: Double? = 1e-3
    public var resamples = 1_000
    public var seed: UInt64 = 0
    public var at: (n: Double, d: Double)?
    public var predictions: [(n: Double, d: Double)] = []
    public var budgets: [Double] = []
    /// Training compute per run (a column, or 6ND); needed for isoFLOP profiles.
    public var compute: [Double]?
    /// nil: isoFLOP profiles when the table looks like a sweep; true/false forces.
    public var isoflop: Bool?
    public init() {}
  }

  public func quantity(_ name: String) -> Quantity? { quantities.first { $0.name == name } }

  /// Fits the law and derives everything from it, bootstrapping each number.
  public static func run(
    n: [Double], d: [Double], loss: [Double], table: Table, tokensFromCompute: Bool,
    options: Options
  ) throws(ScalingError) -> ScalingAnalysis {
    let form = options.form ?? detectForm(n: n, d: d)
    let fitter = ScalingLawFitter(delta: options.delta)
    let fit = try fitter.fit(n: n, d: d, loss: loss, form: form)
    let largest = loss.indices.max { n[$0] * d[$0] < n[$1] * d[$1] } ?? 0
    let at = options.at ?? (n[largest], d[largest])
    let budgets = options.budgets.isEmpty && form == .both
      ? [6 * n[largest] * d[largest], 60 * n[largest] * d[largest]] : options.budgets
    let predictions = options.predictions
    let names = quantityNames(form: form, predictions: predictions.count, budgets: budgets.count)
    let derive: @Sendable (ScalingLaw) -> [Double] = { law in
      derived(law, form: form, at: at, predictions: predictions, budgets: budgets)
    }
    let start = fit.parameters
    let samples = Bootstrap(resamples: options.resamples, seed: options.seed).run(rows: loss.count) {
      indices in
      guard let law = fitter.refit(n: n, d: d, loss: loss, rows: indices, form: form, from: start)
      else { return nil }
      return derive(law)
    }
    let ci80 = Bootstrap.intervals(samples, level: 0.8)
    let ci95 = Bootstrap.intervals(samples, level: 0.95)
    let values = derive(fit.law)
    let quantities = names.indices.map { k in
      Quantity(
        name: names[k], value: values[k], ci80: ci80.isEmpty ? nil : ci80[k],
        ci95: ci95.isEmpty ? nil : ci95[k])
    }
    var analysis = ScalingAnalysis(
      table: table, tokensFromCompute: tokensFromCompute, fit: fit, resamples: options.resamples,
      resamplesUsed: samples.count, seed: options.seed, quantities: quantities, doublingAt: at,
      predictions: predictions, budgets: budgets)
    analysis.runs = (n, d, loss)
    let compute = options.compute ?? zip(n, d).map { 6 * $0 * $1 }
    if options.isoflop ?? IsoFLOPAnalysis.looksLikeSweep(n: n, compute: compute) {
      var isoOptions = IsoFLOPAnalysis.Options()
      isoOptions.resamples = options.resamples
      isoOptions.seed = options.seed
      isoOptions.budgets = budgets
      analysis.isoflop = IsoFLOPAnalysis.run(
        n: n, d: d, loss: loss, compute: compute, tokensFromCompute: tokensFromCompute, options: isoOptions)
    }
    return analysis
  }

  /// Only D varies → `L(D)`; only N varies → `L(N)`; otherwise both.
  static func detectForm(n: [Double], d: [Double]) -> ScalingLaw.Form {
    let nVaries = Set(n).count > 1
    let dVaries = Set(d).count > 1
    if nVaries && dVaries { return .both }
    return nVaries ? .parameters : .data
  }

  static func quantityNames(form: ScalingLaw.Form, predictions: Int, budgets: Int) -> [String] {
    var names = ["E"]
    if form != .data { names += ["A", "alpha"] }
    if form != .parameters { names += ["B", "beta"] }
    if form != .parameters { names.append("data_loss_change") }
    if form != .data { names.append("params_loss_change") }
    names += (0..<predictions).map { "prediction_\($0)" }
    if form == .both {
      names += ["exponent_a", "exponent_b"]
      for k in 0..<budgets { names += ["opt_\(k)_N", "opt_\(k)_D", "opt_\(k)_tokens_per_param", "opt_\(k)_loss"] }
    }
    return names
  }

  static func derived(
    _ law: ScalingLaw, form: ScalingLaw.Form, at: (n: Double, d: Double),
    predictions: [(n: Double, d: Double)], budgets: [Double]
  ) -> [Double] {
    var values = [law.e]
    if form != .data { values += [law.a, law.alpha] }
    if form != .parameters { values += [law.b, law.beta] }
    if form != .parameters { values.append(law.dataDoublingChange(n: at.n, d: at.d)) }
    if form != .data { values.append(law.parameterDoublingChange(n: at.n, d: at.d)) }
    values += predictions.map { law(n: $0.n, d: $0.d) }
    if form == .both {
      let exponents = law.allocationExponents
      values += [exponents.a, exponents.b]
      for budget in budgets {
        if let optimum = law.computeOptimal(compute: budget) {
          values += [optimum.n, optimum.d, optimum.d / optimum.n, optimum.loss]
        } else {
          values += [.nan, .nan, .nan, .nan]
        }
      }
    }
    return values
  }
}
