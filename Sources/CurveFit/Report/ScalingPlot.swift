import Foundation

/// A self-contained SVG of a scaling fit: final loss against parameters N for every run, the
/// fitted law along lines of constant data D (iso-D), and the compute-optimal frontier.
public struct ScalingPlot: Sendable {
  public var report: ScalingReport

  public init(report: ScalingReport) { self.report = report }

  static let size = (width: 900.0, height: 520.0)
  static let margin = (left: 70.0, right: 190.0, top: 40.0, bottom: 50.0)

  public func render() -> String {
    let analysis = report.analysis
    let law = analysis.fit.law
    let (n, d, loss) = analysis.runs
    let nValues = n.filter { $0 > 0 && $0.isFinite }
    guard let nLow = nValues.min(), let nHigh = nValues.max(), nHigh > nLow else {
      return SVGWriter(width: Self.size.width, height: Self.size.height).finish()
    }
    let x = Axis(low: nLow / 2, high: nHigh * 4, log: true, from: Self.margin.left, to: Self.size.width - Self.margin.right)
    let sortedLoss = loss.filter(\.isFinite).sorted()
    let yLow = (sortedLoss.first ?? 1) * 0.95
    let yHigh = (sortedLoss.last ?? 2) * 1.05
    let y = Axis(low: yLow, high: yHigh, log: true, from: Self.size.height - Self.margin.bottom, to: Self.margin.top)
    var svg = SVGWriter(width: Self.size.width, height: Self.size.height)
    svg.rect(0, 0, Self.size.width, Self.size.height, fill: "#ffffff")
    svg.grid(x: x, y: y)
    let clamp = { (value: Double) in y(min(max(value, yLow), yHigh)) }

    // Iso-D curves at four quantiles of the runs' data, when D varies.
    let sortedD = d.filter { $0 > 0 && $0.isFinite }.sorted()
    // Runs and iso-D lines share one colour scale over log D, so a point can be matched to its line.
    let dVaries = analysis.fit.form != .parameters && sortedD.count > 3 && sortedD.first != sortedD.last
    let dLow = sortedD.first ?? 1
    let dHigh = sortedD.last ?? 1
    let colour = { (tokens: Double) -> String in
      guard dVaries else { return "#333333" }
      return Self.viridis(Foundation.log(tokens / dLow) / Foundation.log(dHigh / dLow))
    }
    var legend: [(String, String, String?)] = []
    if dVaries {
      for q in [0.1, 0.4, 0.7, 0.95] {
        let tokens = sortedD[min(sortedD.count - 1, Int(q * Double(sortedD.count - 1)))]
        let points = (0..<80).map { k -> (Double, Double) in
          let size = x.low * Foundation.pow(x.high / x.low, Double(k) / 79)
          return (x(size), clamp(law(n: size, d: tokens)))
        }
        svg.polyline(points, stroke: colour(tokens), width: 1.5)
        legend.append(("law at D = \(siLabel(tokens))", colour(tokens), nil))
      }
    }
    // The compute-optimal frontier over the runs' compute range and a decade beyond.
    let compute = zip(n, d).map { 6 * $0 * $1 }.filter { $0.isFinite && $0 > 0 }
    if let cLow = compute.min(), let cHigh = compute.max(), law.computeOptimal(compute: cLow) != nil {
      let points = (0..<80).compactMap { k -> (Double, Double)? in
        let budget = cLow * Foundation.pow(cHigh * 10 / cLow, Double(k) / 79)
        guard let optimum = law.computeOptimal(compute: budget), x.contains(optimum.n) else { return nil }
        return (x(optimum.n), clamp(optimum.loss))
      }
      svg.polyline(points, stroke: "#d62728", width: 2.2, dash: "7 4")
      legend.append(("compute-optimal frontier", "#d62728", "7 4"))
    }
    for k in loss.indices where n[k] > 0 && loss[k].isFinite {
      svg.polygon(circle(x(n[k]), clamp(loss[k]), radius: 3), fill: colour(d[k]), opacity: 0.8)
    }
    legend.insert((dVaries ? "runs (colour: D)" : "runs", dVaries ? colour(sortedD[sortedD.count / 2]) : "#333333", nil), at: 0)
    svg.axes(x: x, y: y, xLabel: "parameters N", yLabel: "final loss (nats, log scale)")
    var top = Self.margin.top + 8
    let left = Self.size.width - Self.margin.right + 14
    for (label, color, dash) in legend {
      svg.line(left, top, left + 24, top, stroke: color, width: 2, dash: dash)
      svg.text(left + 30, top + 4, label, anchor: "start", size: 11)
      top += 18
    }
    if dVaries {
      // Colour bar: training tokens D, log scale, below the legend.
      let barTop = top + 14
      let barHeight = 160.0
      svg.text(left, barTop - 4, "training tokens D", anchor: "start", size: 11)
      for k in 0..<32 {
        let t = 1 - Double(k) / 31
        svg.rect(left, barTop + barHeight * Double(k) / 32, 14, barHeight / 32 + 0.5, fill: Self.viridis(t))
      }
      svg.text(left + 20, barTop + 8, siLabel(dHigh), anchor: "start", size: 10)
      svg.text(left + 20, barTop + barHeight, siLabel(dLow), anchor: "start", size: 10)
    }
    let name = analysis.table.source.split(separator: "/").suffix(2).joined(separator: "/")
    svg.text(Self.size.width / 2, 24, "\(name) — L = \(analysis.fit.form.formula)", anchor: "middle", size: 14, weight: "bold")
    return svg.finish()
  }

  /// The viridis colour map at `t` ∈ [0, 1] (five stops, linear in between): perceptually even and
  /// readable in grey.
  static func viridis(_ t: Double) -> String {
    let stops: [(Double, Double, Double)] = [(68, 1, 84), (59, 82, 139), (33, 145, 140), (94, 201, 98), (253, 231, 37)]
    let u = min(max(t.isFinite ? t : 0, 0), 1) * Double(stops.count - 1)
    let i = min(Int(u), stops.count - 2)
    let f = u - Double(i)
    let mix = { (a: Double, b: Double) in Int((a + (b - a) * f).rounded()) }
    let (r0, g0, b0) = stops[i]
    let (r1, g1, b1) = stops[i + 1]
    return "#" + [mix(r0, r1), mix(g0, g1), mix(b0, b1)].map { value in
      let hex = String(value, radix: 16)
      return hex.count == 1 ? "0" + hex : hex
    }.joined()
  }

  private func circle(_ cx: Double, _ cy: Double, radius: Double) -> [(Double, Double)] {
    (0..<10).map { k in
      let angle = Double(k) / 10 * 2 * Double.pi
      return (cx + radius * Foundation.cos(angle), cy + radius * Foundation.sin(angle))
    }
  }

  private func siLabel(_ value: Double) -> String {
    for (scale, suffix) in [(1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")] where value >= scale {
      return NumberFormat.significant(value / scale, 2) + suffix
    }
    return NumberFormat.significant(value, 2)
  }
}
