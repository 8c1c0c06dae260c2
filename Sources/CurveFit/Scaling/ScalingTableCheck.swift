import Foundation

/// What a table given to `curvefit scaling` looks like before it is fitted: a training log
/// (refused), a score that rises with compute (refused), or runs of several configurations or
/// eval sets that would be pooled into one law (a warning naming the column and the flags).
public struct ScalingTableCheck: Sendable {
  public var table: Table

  public init(table: Table) { self.table = table }

  static let stepColumns: Set<String> = ["step", "steps", "iter", "iters", "iteration", "global_step", "train/global_step", "trainer/global_step", "_step"]

  /// A one-line error when the table is not a table of finished runs, else nil.
  public var refusal: String? {
    let sizes = table.values["N"].map { Set($0).count } ?? 0
    if sizes <= 1, let step = table.columns.first(where: { Self.stepColumns.contains($0.lowercased()) }) {
      let size = sizes == 1 ? "one model size" : "no model-size column"
      return "\(table.source): looks like a training log (a '\(step)' column, \(size)), not a table of finished runs; run `curvefit \(table.source)` to analyse the run"
    }
    if let losses = table.values["loss"], losses.count >= 5 {
      let n = table.values["N"] ?? Array(repeating: 1, count: losses.count)
      let d = table.values["D"] ?? table.values["C"] ?? Array(repeating: 1, count: losses.count)
      let scale = zip(n, d).map { $0 * $1 }
      if Set(scale).count > 1, let rho = Self.rankCorrelation(losses, scale), rho > 0.3 {
        let column = table.headers["loss"] ?? "loss"
        return "\(table.source): '\(column)' rises with model and data size (rank correlation \(String(format: "%+.2f", rho))): it looks like an accuracy or a score, not a loss; name the loss column with --loss-col"
      }
    }
    return nil
  }

  /// A warning when text columns split the runs into a few configurations that one law would pool.
  public var poolingWarning: String? {
    let used = Set(table.headers.values)
    let dividing = table.dividingColumns(excluding: used, sizes: table.values["N"] ?? [])
    guard let first = dividing.first else { return nil }
    let listed = dividing.prefix(4).map { column, values in
      "\(column) (\(values.prefix(8).joined(separator: ", "))\(values.count > 8 ? ", …" : ""))"
    }.joined(separator: "; ")
    let more = dividing.count > 4 ? " and \(dividing.count - 4) more" : ""
    let flags = dividing.prefix(5).map { "--group \($0.column)" }.joined(separator: " ")
    return "the runs differ in \(listed)\(more); they are pooled into one law. Fit each with \(flags), or keep one with --where \(first.column)=\(first.values[0])"
  }

  /// Spearman's ρ (average ranks for ties); nil when either side is constant.
  static func rankCorrelation(_ x: [Double], _ y: [Double]) -> Double? {
    let rx = ranks(x)
    let ry = ranks(y)
    let count = Double(x.count)
    let mx = rx.reduce(0, +) / count
    let my = ry.reduce(0, +) / count
    var sxy = 0.0
    var sxx = 0.0
    var syy = 0.0
    for i in rx.indices {
      sxy += (rx[i] - mx) * (ry[i] - my)
      sxx += (rx[i] - mx) * (rx[i] - mx)
      syy += (ry[i] - my) * (ry[i] - my)
    }
    guard sxx > 0, syy > 0 else { return nil }
    return sxy / (sxx * syy).squareRoot()
  }

  private static func ranks(_ values: [Double]) -> [Double] {
    let order = values.indices.sorted { values[$0] < values[$1] }
    var ranks = Array(repeating: 0.0, count: values.count)
    var start = 0
    while start < order.count {
      var end = start
      while end + 1 < order.count && values[order[end + 1]] == values[order[start]] { end += 1 }
      let rank = Double(start + end) / 2
      for k in start...end { ranks[order[k]] = rank }
      start = end + 1
    }
    return ranks
  }
}
