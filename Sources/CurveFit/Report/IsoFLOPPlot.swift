import Foundation

/// An SVG of the isoFLOP analysis: above, loss against N at each budget with the curve its
/// minimum was read from and that minimum; below, N*(C) with each budget's 95% interval, the
/// fitted power law and its 95% band.
public struct IsoFLOPPlot: Sendable {
  public var report: ScalingReport

  public init(report: ScalingReport) { self.report = report }

  static let width = 900.0
  static let panel = 380.0
  static let margin = (left: 80.0, right: 190.0, top: 44.0, gap: 70.0)

  public func render() -> String? {
    guard let iso = report.analysis.isoflop else { return nil }
    let (n, _, loss) = report.analysis.runs
    let shown = iso.budgets.filter { $0.sizes >= 3 }
    let rows = shown.flatMap(\.rows)
    guard !rows.isEmpty else { return nil }
    let height = Self.margin.top + 2 * Self.panel + Self.margin.gap + 40
    var svg = SVGWriter(width: Self.width, height: height)
    svg.rect(0, 0, Self.width, height, fill: "#ffffff")
    let right = Self.width - Self.margin.right

    // Top panel: the profiles. The y range is the bulk of the losses near the minima, so
    // oversized models at small budgets (losses of 10 nats) do not flatten every curve.
    let nLow = rows.map { n[$0] }.min()!
    let nHigh = rows.map { n[$0] }.max()!
    let lows = shown.compactMap { $0.lossOpt ?? $0.rows.map { loss[$0] }.min() }
    let yLow = (lows.min() ?? 1) * 0.97
    let yHigh = min(rows.map { loss[$0] }.max()!, (lows.max() ?? 2) * 1.25) * 1.02
    let x = Axis(low: nLow / 1.5, high: nHigh * 1.5, log: true, from: Self.margin.left, to: right)
    let topBottom = Self.margin.top + Self.panel
    let y = Axis(low: yLow, high: yHigh, log: true, from: topBottom, to: Self.margin.top)
    svg.grid(x: x, y: y)
    let cLow = shown.map(\.compute).min()!
    let cHigh = shown.map(\.compute).max()!
    let colour = { (c: Double) in ScalingPlot.viridis(cHigh > cLow ? Foundation.log(c / cLow) / Foundation.log(cHigh / cLow) : 0.5) }
    let clamp = { (value: Double) in y(min(max(value, yLow), yHigh)) }
    for budget in shown {
      let curve = IsoFLOPCurve(rows: budget.rows, n: n, d: report.analysis.runs.d, loss: loss)
      // The curve is drawn where it lies inside the panel, in pieces, rather than flattened at its edge.
      var piece: [(Double, Double)] = []
      for point in curve.profile(iso.method) {
        let value = Foundation.exp(point.y)
        if value >= yLow && value <= yHigh {
          piece.append((x(Foundation.exp(point.x)), y(value)))
        } else {
          if piece.count > 1 { svg.polyline(piece, stroke: colour(budget.compute), width: 1.6) }
          piece = []
        }
      }
      if piece.count > 1 { svg.polyline(piece, stroke: colour(budget.compute), width: 1.6) }
      for row in budget.rows where loss[row] <= yHigh {
        svg.polygon(marker(x(n[row]), y(max(loss[row], yLow)), radius: 3, sides: 10), fill: colour(budget.compute), opacity: 0.85)
      }
      if let nOpt = budget.nOpt, let lossOpt = budget.lossOpt {
        if let interval = budget.ci95?.n {
          svg.line(x(interval.lowerBound), clamp(lossOpt), x(interval.upperBound), clamp(lossOpt), stroke: "#222222", width: 1.2)
        }
        svg.polygon(marker(x(nOpt), clamp(lossOpt), radius: 5.5, sides: 4), fill: "#222222")
      }
    }
    svg.axes(x: x, y: y, xLabel: "parameters N", yLabel: "loss (nats, log scale)")
    var top = Self.margin.top + 8
    let left = right + 14
    let legend: [(String, String)] = [("runs, curve per budget", colour(cLow)), ("N* and 95% interval", "#222222")]
    for (label, ink) in legend {
      svg.line(left, top, left + 24, top, stroke: ink, width: 2)
      svg.text(left + 30, top + 4, label, anchor: "start", size: 11)
      top += 18
    }
    svg.text(left, top + 14, "compute C (FLOPs)", anchor: "start", size: 11)
    let keyed = shown.count <= 8 ? shown : [shown[0], shown[shown.count - 1]]
    for (k, budget) in keyed.enumerated() {
      let labelTop = top + 30 + Double(k) * 16
      svg.rect(left, labelTop - 9, 14, 10, fill: colour(budget.compute))
      svg.text(left + 20, labelTop, NumberFormat.significant(budget.compute, 2), anchor: "start", size: 10)
    }

    // Bottom panel: N*(C), the power law and its band.
    let panelTop = topBottom + Self.margin.gap
    let panelBottom = panelTop + Self.panel
    let fitted = shown.filter { $0.nOpt != nil }
    var computes = shown.map(\.compute) + iso.predictions.map(\.compute)
    computes += iso.band.map(\.compute)
    var sizes = fitted.compactMap(\.nOpt) + fitted.compactMap { $0.ci95?.n.lowerBound } + fitted.compactMap { $0.ci95?.n.upperBound }
    sizes += iso.band.flatMap { [$0.low, $0.high] }
    guard let sLow = sizes.min(), let sHigh = sizes.max(), let kLow = computes.min(), let kHigh = computes.max() else {
      return svg.finish()
    }
    let cx = Axis(low: kLow / 1.5, high: kHigh * 1.5, log: true, from: Self.margin.left, to: right)
    let cy = Axis(low: sLow / 1.5, high: sHigh * 1.5, log: true, from: panelBottom, to: panelTop)
    svg.grid(x: cx, y: cy)
    if !iso.band.isEmpty {
      let upper = iso.band.map { (cx($0.compute), cy($0.high)) }
      let lower = iso.band.reversed().map { (cx($0.compute), cy($0.low)) }
      svg.polygon(upper + lower, fill: "#d62728", opacity: 0.15)
    }
    if let a = iso.a, let k = iso.coefficientN, let first = iso.band.first?.compute, let last = iso.band.last?.compute {
      svg.polyline([(cx(first), cy(k * Foundation.pow(first, a))), (cx(last), cy(k * Foundation.pow(last, a)))], stroke: "#d62728", width: 2)
    }
    for budget in fitted {
      guard let nOpt = budget.nOpt else { continue }
      if let interval = budget.ci95?.n {
        svg.line(cx(budget.compute), cy(interval.lowerBound), cx(budget.compute), cy(interval.upperBound), stroke: "#222222", width: 1.2)
      }
      svg.polygon(marker(cx(budget.compute), cy(nOpt), radius: 5, sides: 4), fill: colour(budget.compute))
    }
    for prediction in iso.predictions {
      svg.polygon(marker(cx(prediction.compute), cy(prediction.n), radius: 4, sides: 10), fill: "#d62728")
    }
    svg.axes(x: cx, y: cy, xLabel: "compute C (FLOPs)", yLabel: "compute-optimal N*")
    var bottomLegend = panelTop + 8
    var entries: [(String, String)] = [("N* and 95% interval", "#222222")]
    if let a = iso.a, let interval = iso.ci95?.a {
      entries.append(("N* ∝ C^\(NumberFormat.significant(a, 3))", "#d62728"))
      entries.append(("a: \(NumberFormat.significant(interval.lowerBound, 3))–\(NumberFormat.significant(interval.upperBound, 3)) (95%)", "#ffffff"))
      entries.append(("95% band of the line", "#f2b8b8"))
      if !iso.predictions.isEmpty { entries.append(("dots: --compute budgets", "#ffffff")) }
    }
    for (label, ink) in entries {
      svg.line(left, bottomLegend, left + 24, bottomLegend, stroke: ink, width: 2)
      svg.text(left + 30, bottomLegend + 4, label, anchor: "start", size: 11)
      bottomLegend += 18
    }
    let name = report.analysis.table.source.split(separator: "/").suffix(2).joined(separator: "/")
    let how = iso.method == .interpolation ? "Akima interpolation" : "parabola in log N"
    svg.text(Self.width / 2, 24, "\(name) — isoFLOP profiles (\(how))", anchor: "middle", size: 14, weight: "bold")
    return svg.finish()
  }

  private func marker(_ cx: Double, _ cy: Double, radius: Double, sides: Int) -> [(Double, Double)] {
    (0..<sides).map { k in
      let angle = Double(k) / Double(sides) * 2 * Double.pi + (sides == 4 ? 0 : 0)
      return (cx + radius * Foundation.cos(angle), cy + radius * Foundation.sin(angle))
    }
  }
}
