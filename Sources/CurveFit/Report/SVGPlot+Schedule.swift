import Foundation

/// The annealing law on the plot: its curve along the logged schedule, the final losses of the
/// stretched runs with their 95% intervals, and where the fit's steps end (a backtest's split).
extension SVGPlot {
  static let annealingColor = "#7b3fa0"

  /// The values the annealing layer needs the y-axis to cover.
  func annealingValues(from firstStep: Double) -> [Double] {
    annealingCurve(from: firstStep).map(\.1)
      + annealingProjections.compactMap { $0.loss.ci95.map { [$0.lowerBound, $0.upperBound] } }.flatMap { $0 }
  }

  /// The stretched runs' final losses the plot marks: the PROJECTION rows, with the intervals
  /// they print, when the annealing law projects; its own noise-only ones when it only informs.
  var annealingProjections: [Projection] {
    let analysis = report.analysis
    if analysis.projectingSchedule != nil { return analysis.projections }
    return analysis.schedule?.projections.filter { $0.withheld == nil } ?? []
  }

  /// `(step, loss)` of the fitted annealing law over the logged steps after warm-up.
  func annealingCurve(from firstStep: Double) -> [(Double, Double)] {
    guard let result = report.analysis.schedule, let fit = result.fit,
      let last = report.analysis.series.steps.last
    else { return [] }
    let start = max(firstStep, result.schedule.warmupSteps, 1)
    guard last > start else { return [] }
    let count = 200
    let steps = (0..<count).map { k in
      logarithmicSteps
        ? start * Foundation.pow(last / start, Double(k) / Double(count - 1))
        : start + (last - start) * Double(k) / Double(count - 1)
    }
    return Array(zip(steps, fit.model.losses(at: steps, on: result.schedule.observed)))
  }

  func drawAnnealing(_ svg: inout SVGWriter, x: Axis, y: Axis, firstStep: Double) {
    let analysis = report.analysis
    if analysis.fitRange.upperBound < (analysis.series.steps.last ?? 0) {
      let px = x(analysis.fitRange.upperBound)
      svg.line(px, Self.margin.top, px, Self.size.height - Self.margin.bottom, stroke: "#555555", width: 1, dash: "2 3")
      svg.text(px + 4, Self.margin.top + 14, "fit ends", anchor: "start", size: 10, fill: "#555555")
    }
    guard let result = analysis.schedule, result.fit != nil else { return }
    let clamp = { (value: Double) in min(max(value, y.low), y.high) }
    svg.polyline(annealingCurve(from: firstStep).map { (x($0.0), y(clamp($0.1))) }, stroke: Self.annealingColor, width: 2)
    for projection in annealingProjections where x.contains(projection.step) {
      let px = x(projection.step)
      if let interval = projection.loss.ci95 {
        svg.line(px, y(clamp(interval.lowerBound)), px, y(clamp(interval.upperBound)), stroke: Self.annealingColor, width: 1.5)
      }
      let py = y(clamp(projection.loss.value))
      svg.polygon([(px, py - 5), (px + 5, py), (px, py + 5), (px - 5, py)], fill: Self.annealingColor)
    }
  }

  /// Legend entries for the annealing layer, when there is one.
  var annealingLegend: [(String, String, String?)] {
    guard let result = report.analysis.schedule, result.fit != nil else { return [] }
    return [("annealing law", Self.annealingColor, nil), ("◆ stretched run, final", Self.annealingColor, nil)]
  }
}
