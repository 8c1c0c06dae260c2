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
    let palette = ["#9ecae1", "#6baed6", "#3182bd", "#08519c"]
    var legend: [(String, String, String?)] = []
    if analysis.fit.form != .parameters, sortedD.count > 3, sortedD.first != sortedD.last {
      for (index, q) in [0.1, 0.4, 0.7, 0.95].enumerated() {
        let tokens = sortedD[min(sortedD.count - 1, Int(q * Double(sortedD.count - 1)))]
        let points = (0..<80).map { k -> (Double, Double) in
          let size = x.low * Foundation.pow(x.high / x.low, Double(k) / 79)
          return (x(size), clamp(law(n: size, d: tokens)))
        }
        svg.polyline(points, stroke: palette[index], width: 1.5)
        legend.append(("D = \(siLabel(tokens)) tokens", palette[index], nil))
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
      svg.polygon(circle(x(n[k]), clamp(loss[k]), radius: 3), fill: "#333333", opacity: 0.65)
    }
    legend.insert(("runs", "#333333", nil), at: 0)
    svg.axes(x: x, y: y, xLabel: "parameters N", yLabel: "final loss (nats, log scale)")
    var top = Self.margin.top + 8
    let left = Self.size.width - Self.margin.right + 14
    for (label, color, dash) in legend {
      svg.line(left, top, left + 24, top, stroke: color, width: 2, dash: dash)
      svg.text(left + 30, top + 4, label, anchor: "start", size: 11)
      top += 18
    }
    let name = analysis.table.source.split(separator: "/").suffix(2).joined(separator: "/")
    svg.text(Self.size.width / 2, 24, "\(name) — L = \(analysis.fit.form.formula)", anchor: "middle", size: 14, weight: "bold")
    return svg.finish()
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
