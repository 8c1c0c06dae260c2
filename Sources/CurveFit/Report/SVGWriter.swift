import Foundation

/// A linear or logarithmic map from data to pixels.
struct Axis {
  let low: Double
  let high: Double
  let log: Bool
  let from: Double
  let to: Double

  func callAsFunction(_ value: Double) -> Double {
    let position: Double
    if log {
      let safe = max(value, low)
      position = (Foundation.log(safe) - Foundation.log(low)) / max(Foundation.log(high) - Foundation.log(low), 1e-12)
    } else {
      position = (value - low) / max(high - low, 1e-12)
    }
    return from + position * (to - from)
  }

  func contains(_ value: Double) -> Bool { value >= min(low, high) && value <= max(low, high) }

  /// Tick values: decades (and 2×, 5× when few) on a log axis, "nice" steps on a linear one.
  var ticks: [Double] {
    if log {
      var ticks: [Double] = []
      var decade = Foundation.pow(10, (Foundation.log10(low)).rounded(.down))
      while decade <= high * 1.0001 {
        for multiple in [1.0, 2, 5] where decade * multiple >= low && decade * multiple <= high {
          ticks.append(decade * multiple)
        }
        decade *= 10
      }
      if ticks.count > 12 { return ticks.filter { Foundation.log10($0).rounded() == Foundation.log10($0) } }
      if ticks.count >= 4 { return ticks }
      // A narrow log range (a loss axis from 1.9 to 5.2): evenly spaced values read better.
      return Axis(low: low, high: high, log: false, from: from, to: to).ticks
    }
    let raw = (high - low) / 6
    let magnitude = Foundation.pow(10, Foundation.log10(raw).rounded(.down))
    let step = [1.0, 2, 2.5, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? raw
    var tick = (low / step).rounded(.up) * step
    var ticks: [Double] = []
    while tick <= high { ticks.append(tick); tick += step }
    return ticks
  }
}

/// Builds an SVG document from a few primitives, escaping text.
struct SVGWriter {
  private var body: [String] = []
  let width: Double
  let height: Double

  init(width: Double, height: Double) {
    self.width = width
    self.height = height
  }

  mutating func rect(_ x: Double, _ y: Double, _ w: Double, _ h: Double, fill: String, opacity: Double = 1) {
    body.append(#"<rect x="\#(f(x))" y="\#(f(y))" width="\#(f(w))" height="\#(f(h))" fill="\#(fill)" fill-opacity="\#(f(opacity))"/>"#)
  }

  mutating func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, stroke: String, width: Double, dash: String? = nil) {
    let dashing = dash.map { #" stroke-dasharray="\#($0)""# } ?? ""
    body.append(#"<line x1="\#(f(x1))" y1="\#(f(y1))" x2="\#(f(x2))" y2="\#(f(y2))" stroke="\#(stroke)" stroke-width="\#(f(width))"\#(dashing)/>"#)
  }

  mutating func polyline(_ points: [(Double, Double)], stroke: String, width: Double, dash: String? = nil) {
    guard points.count > 1 else { return }
    let dashing = dash.map { #" stroke-dasharray="\#($0)""# } ?? ""
    let coordinates = points.filter { $0.0.isFinite && $0.1.isFinite }.map { "\(f($0.0)),\(f($0.1))" }.joined(separator: " ")
    body.append(#"<polyline points="\#(coordinates)" fill="none" stroke="\#(stroke)" stroke-width="\#(f(width))" stroke-linejoin="round"\#(dashing)/>"#)
  }

  mutating func polygon(_ points: [(Double, Double)], fill: String, opacity: Double = 1) {
    let coordinates = points.filter { $0.0.isFinite && $0.1.isFinite }.map { "\(f($0.0)),\(f($0.1))" }.joined(separator: " ")
    guard !coordinates.isEmpty else { return }
    body.append(#"<polygon points="\#(coordinates)" fill="\#(fill)" fill-opacity="\#(f(opacity))"/>"#)
  }

  mutating func text(
    _ x: Double, _ y: Double, _ content: String, anchor: String, size: Double,
    fill: String = "#222222", weight: String = "normal"
  ) {
    body.append(#"<text x="\#(f(x))" y="\#(f(y))" text-anchor="\#(anchor)" font-family="sans-serif" font-size="\#(f(size))" font-weight="\#(weight)" fill="\#(fill)">\#(escape(content))</text>"#)
  }

  mutating func grid(x: Axis, y: Axis) {
    for tick in x.ticks { line(x(tick), y.from, x(tick), y.to, stroke: "#eeeeee", width: 1) }
    for tick in y.ticks { line(x.from, y(tick), x.to, y(tick), stroke: "#eeeeee", width: 1) }
  }

  mutating func axes(x: Axis, y: Axis, xLabel: String, yLabel: String) {
    line(x.from, y.from, x.to, y.from, stroke: "#444444", width: 1)
    line(x.from, y.from, x.from, y.to, stroke: "#444444", width: 1)
    for tick in x.ticks {
      line(x(tick), y.from, x(tick), y.from + 5, stroke: "#444444", width: 1)
      text(x(tick), y.from + 18, siLabel(tick), anchor: "middle", size: 11)
    }
    for tick in y.ticks {
      line(x.from - 5, y(tick), x.from, y(tick), stroke: "#444444", width: 1)
      text(x.from - 8, y(tick) + 4, NumberFormat.significant(tick, 3), anchor: "end", size: 11)
    }
    text((x.from + x.to) / 2, y.from + 38, "\(xLabel)\(x.log ? " (log scale)" : "")", anchor: "middle", size: 12)
    let middle = f((y.from + y.to) / 2)
    let ink = "#222222"
    body.append(#"<text x="18" y="\#(middle)" text-anchor="middle" font-family="sans-serif" font-size="12" fill="\#(ink)" transform="rotate(-90 18 \#(middle))">\#(escape(yLabel))</text>"#)
  }

  func finish() -> String {
    """
    <?xml version="1.0" encoding="UTF-8"?>
    <svg xmlns="http://www.w3.org/2000/svg" width="\(f(width))" height="\(f(height))" viewBox="0 0 \(f(width)) \(f(height))">
    \(body.joined(separator: "\n"))
    </svg>

    """
  }

  /// `2k`, `10M`, `1.5B` for step and token axes.
  private func siLabel(_ value: Double) -> String {
    // FLOP budgets: 1e18 reads better than 1000000T.
    if abs(value) >= 1e15 { return NumberFormat.significant(value, 2) }
    for (scale, suffix) in [(1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")] where abs(value) >= scale {
      return NumberFormat.compact(value / scale) + suffix
    }
    return NumberFormat.compact(value)
  }

  private func f(_ value: Double) -> String {
    value.isFinite ? String(format: "%.1f", value) : "0"
  }

  private func escape(_ text: String) -> String {
    text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
      .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
  }
}
