import Foundation

/// A self-contained SVG of the run: raw loss (light), its log-binned mean (dark), the fit and
/// its projection to 10× with the 95% band, the target, spikes, plateaus and divergence.
///
/// No fonts, scripts or external references: generic font families and inline attributes only.
/// The step axis is logarithmic by default.
public struct SVGPlot: Sendable {
  public var report: Report
  public var logarithmicSteps: Bool

  public init(report: Report, logarithmicSteps: Bool = true) {
    self.report = report
    self.logarithmicSteps = logarithmicSteps
  }

  static let size = (width: 900.0, height: 520.0)
  static let margin = (left: 70.0, right: 170.0, top: 40.0, bottom: 50.0)

  public func render() -> String {
    let analysis = report.analysis
    let series = analysis.series
    let firstStep = series.steps.first { $0 > 0 } ?? 1
    // A fit that stops before the log does is a backtest: show the log, not the 10× horizon.
    let logEnd = series.steps.last ?? 10
    // Withheld projections are not drawn either.
    let withheld = analysis.forecast?.withheld != nil
    // A little room past the log: 5% of its span on a linear axis (an excerpt starting at step
    // 31,214 must not be squeezed into the left edge), 5% of the step on a log axis.
    let pastEnd = logarithmicSteps ? logEnd * 1.05 : logEnd + 0.05 * max(1, logEnd - firstStep)
    let lastStep = analysis.fitRange.upperBound < logEnd || withheld
      ? pastEnd : (analysis.projections.last?.step ?? logEnd)
    let x = Axis(low: firstStep, high: lastStep, log: logarithmicSteps,
                 from: Self.margin.left, to: Self.size.width - Self.margin.right)
    let means = binnedMeans(series, bins: 300, first: firstStep)
    let fitLow = analysis.fitRange.lowerBound
    let curve = curvePoints(from: max(firstStep, fitLow), to: lastStep, count: 120)
    var values = means.map(\.1) + curve.flatMap { [$0.low, $0.high] } + annealingValues(from: firstStep)
    if let target = analysis.target?.loss { values.append(target) }
    let sorted = values.filter(\.isFinite).sorted()
    let yLow = sorted.first ?? 0
    var yHigh = sorted.last ?? 1
    // The bulk of the curve sets the range, not one blow-up: a single 4.5e6 before an inf made
    // the Criteo curve a flat line at the bottom. Means above it are marked at the top edge.
    let bulk = means.map(\.1).filter(\.isFinite).sorted()
    if bulk.count >= 10 {
      let (p10, p50, p90) = (bulk[bulk.count / 10], bulk[bulk.count / 2], bulk[bulk.count * 9 / 10])
      yHigh = min(yHigh, max(p90, p50 + 5 * (p90 - p10)))
    }
    let pad = max((yHigh - yLow) * 0.06, 1e-6)
    let y = Axis(low: yLow - pad, high: yHigh + pad, log: false,
                 from: Self.size.height - Self.margin.bottom, to: Self.margin.top)

    var svg = SVGWriter(width: Self.size.width, height: Self.size.height)
    svg.rect(0, 0, Self.size.width, Self.size.height, fill: "#ffffff")
    regions(&svg, x: x, y: y)
    svg.grid(x: x, y: y)
    let raw = zip(series.steps, series.losses).filter { $0.0 >= firstStep && $0.1.isFinite }
    svg.polyline(decimate(raw, x: x, y: y), stroke: "#c7d2e0", width: 1)
    svg.polyline(means.map { (x($0.0), y(min(max($0.1, y.low), y.high))) }, stroke: "#1f4e8c", width: 1.6)
    if let smoothed = analysis.smoothed {
      let points = zip(smoothed.steps, smoothed.losses).filter { $0.0 >= firstStep && $0.1.isFinite }
      svg.polyline(decimate(points, x: x, y: y), stroke: "#2e8b57", width: 1.4)
    }
    band(&svg, curve, x: x, y: y)
    let observed = curve.filter { $0.t <= analysis.lastStep }
    let projected = withheld ? [] : curve.filter { $0.t >= analysis.lastStep }
    svg.polyline(observed.map { (x($0.t), y($0.value)) }, stroke: "#d2691e", width: 2)
    svg.polyline(projected.map { (x($0.t), y($0.value)) }, stroke: "#d2691e", width: 2, dash: "6 4")
    drawAnnealing(&svg, x: x, y: y, firstStep: firstStep)
    if let target = analysis.target?.loss, y.contains(target) {
      svg.line(Self.margin.left, y(target), Self.size.width - Self.margin.right, y(target),
               stroke: "#2e8b57", width: 1.2, dash: "3 3")
      svg.text(Self.size.width - Self.margin.right - 4, y(target) - 5, "target \(NumberFormat.significant(target, 4))",
               anchor: "end", size: 11, fill: "#2e8b57")
    }
    spikes(&svg, x: x, y: y)
    for (step, mean) in means where mean > y.high && step >= x.low {
      let px = x(step)
      svg.polygon([(px, Self.margin.top + 2), (px - 4, Self.margin.top + 9), (px + 4, Self.margin.top + 9)], fill: "#1f4e8c")
    }
    svg.axes(x: x, y: y, xLabel: series.origin.stepColumn ?? "row", yLabel: "loss (nats)")
    legend(&svg, offChart: means.contains { $0.1 > y.high })
    let name = series.origin.source.split(separator: "/").suffix(2).joined(separator: "/")
    let title = "\(name) — \(HealthVerdict(analysis.health, metric: analysis.series.origin.lossColumn).sentence)"
    svg.text(Self.size.width / 2, 24, title, anchor: "middle", size: title.count > 90 ? 12 : 14, weight: "bold")
    return svg.finish()
  }

  // MARK: - Pieces

  private func regions(_ svg: inout SVGWriter, x: Axis, y: Axis) {
    let top = Self.margin.top
    let height = Self.size.height - Self.margin.top - Self.margin.bottom
    for plateau in report.analysis.health.plateaus where plateau.endStep > x.low {
      let left = x(max(plateau.startStep, x.low))
      svg.rect(left, top, max(1, x(plateau.endStep) - left), height, fill: "#f5d76e", opacity: 0.35)
    }
    if let divergence = report.analysis.health.divergence, let last = report.analysis.series.steps.last {
      let left = x(max(divergence.startStep, x.low))
      svg.rect(left, top, max(2, x(last) - left), height, fill: "#e74c3c", opacity: 0.2)
    }
  }

  private func spikes(_ svg: inout SVGWriter, x: Axis, y: Axis) {
    for spike in report.analysis.health.spikes.prefix(30) {
      // At the step the spike is reported at (its start), as high as its peak.
      let px = x(max(spike.startStep, x.low))
      // Clipped peaks keep their marker and label inside the plot, below the title.
      let py = max(y(min(spike.peakLoss, y.high)), Self.margin.top + 30)
      svg.polygon([(px, py - 9), (px - 5, py - 17), (px + 5, py - 17)], fill: "#c0392b")
      svg.text(px, py - 20, NumberFormat.count(spike.startStep), anchor: "middle", size: 10, fill: "#c0392b")
    }
  }

  private func band(_ svg: inout SVGWriter, _ curve: [CurvePoint], x: Axis, y: Axis) {
    let upper = curve.map { (x($0.t), y(min(max($0.high, y.low), y.high))) }
    let lower = curve.reversed().map { (x($0.t), y(min(max($0.low, y.low), y.high))) }
    svg.polygon(upper + lower, fill: "#f0a35e", opacity: 0.3)
  }

  private func legend(_ svg: inout SVGWriter, offChart: Bool) {
    let left = Self.size.width - Self.margin.right + 14
    var top = Self.margin.top + 8
    let analysis = report.analysis
    let projected = analysis.forecast?.withheld == nil && analysis.fitRange.upperBound >= (analysis.series.steps.last ?? 0)
    let entries: [(String, String, String?)] = [
      ("observed loss", "#c7d2e0", nil), (logarithmicSteps ? "mean (log bins)" : "mean (bins)", "#1f4e8c", nil),
      ("power law fit", "#d2691e", nil),
    ] + (projected ? [("projection to 10×", "#d2691e", "6 4")] : [])
      + annealingLegend + (analysis.smoothed == nil ? [] : [("smoothed (EMA)", "#2e8b57", nil)])
    for (label, color, dash) in entries {
      svg.line(left, top, left + 24, top, stroke: color, width: 2, dash: dash)
      svg.text(left + 30, top + 4, label, anchor: "start", size: 11)
      top += 18
    }
    svg.rect(left, top - 6, 24, 10, fill: "#f0a35e", opacity: 0.3)
    svg.text(left + 30, top + 3, "95% band", anchor: "start", size: 11)
    top += 18
    // Only what the plot shows.
    let health = analysis.health
    if !health.spikes.isEmpty {
      svg.polygon([(left + 12, top + 4), (left + 7, top - 4), (left + 17, top - 4)], fill: "#c0392b")
      svg.text(left + 30, top + 3, "spike (start step)", anchor: "start", size: 11)
      top += 18
    }
    if !health.plateaus.isEmpty {
      svg.rect(left, top - 6, 24, 10, fill: "#f5d76e", opacity: 0.6)
      svg.text(left + 30, top + 3, "plateau", anchor: "start", size: 11)
      top += 18
    }
    if health.divergence != nil {
      svg.rect(left, top - 6, 24, 10, fill: "#e74c3c", opacity: 0.35)
      svg.text(left + 30, top + 3, "divergence", anchor: "start", size: 11)
      top += 18
    }
    if offChart {
      svg.polygon([(left + 12, top - 6), (left + 8, top + 2), (left + 16, top + 2)], fill: "#1f4e8c")
      svg.text(left + 30, top + 3, "mean above the axis", anchor: "start", size: 11)
    }
  }

  // MARK: - Data

  struct CurvePoint {
    var t: Double
    var value: Double
    var low: Double
    var high: Double
  }

  /// The fitted curve with its 95% band, as the forecast gives it (calibrated past the last step).
  private func curvePoints(from: Double, to: Double, count: Int) -> [CurvePoint] {
    let analysis = report.analysis
    return (0..<count).map { k in
      let t = logarithmicSteps
        ? from * Foundation.pow(to / from, Double(k) / Double(count - 1))
        : from + (to - from) * Double(k) / Double(count - 1)
      let estimate = analysis.curveEstimate(at: t)
      let interval = estimate.ci95 ?? (estimate.value...estimate.value)
      return CurvePoint(t: t, value: estimate.value, low: interval.lowerBound, high: interval.upperBound)
    }
  }

  private func binnedMeans(_ series: LossSeries, bins: Int, first: Double) -> [(Double, Double)] {
    guard let last = series.steps.last, last > first else { return [] }
    var sumT = [Double](repeating: 0, count: bins)
    var sumY = sumT
    var counts = sumT
    let low = logarithmicSteps ? Foundation.log(first) : first
    let span = (logarithmicSteps ? Foundation.log(last) : last) - low
    for (step, loss) in zip(series.steps, series.losses) where step >= first && loss.isFinite {
      let position = ((logarithmicSteps ? Foundation.log(step) : step) - low) / span
      let bin = min(bins - 1, Int(position * Double(bins)))
      sumT[bin] += step
      sumY[bin] += loss
      counts[bin] += 1
    }
    return (0..<bins).compactMap { counts[$0] > 0 ? (sumT[$0] / counts[$0], sumY[$0] / counts[$0]) : nil }
  }

  /// At most two points (min and max) per pixel column, so a 10M-row log stays a small file.
  private func decimate(_ points: [(Double, Double)], x: Axis, y: Axis) -> [(Double, Double)] {
    guard points.count > 2_000 else { return points.map { (x($0.0), y(min($0.1, y.high))) } }
    var columns: [Int: (low: Double, high: Double, first: Double)] = [:]
    var order: [Int] = []
    for (step, loss) in points {
      let column = Int(x(step))
      if let existing = columns[column] {
        columns[column] = (min(existing.low, loss), max(existing.high, loss), existing.first)
      } else {
        columns[column] = (loss, loss, step)
        order.append(column)
      }
    }
    return order.flatMap { column -> [(Double, Double)] in
      guard let entry = columns[column] else { return [] }
      return [(Double(column), y(min(entry.high, y.high))), (Double(column), y(min(entry.low, y.high)))]
    }
  }
}
