import Foundation

/// What the step column counts: optimiser steps, tokens seen (the Smol Playbook's data, many W&B
/// token axes), samples (Megatron's consumed samples) or epochs (a hand-written loop's log).
/// Reports name a position in its own unit, "at 4.02e10 tokens" or "epoch 12", never "step 4.02e10".
public enum StepAxis: String, Sendable {
  case steps
  case tokens
  case samples
  case epochs

  public init(_ origin: SeriesOrigin) {
    let name = origin.stepColumn?.lowercased() ?? ""
    self = name.contains("token") ? .tokens : name.contains("sample") ? .samples : name.contains("epoch") ? .epochs : .steps
  }

  init(_ series: LossSeries) { self.init(series.origin) }

  /// A position on the axis: `1,234`, `4.02e10`, or `2.5` for an epoch (they are often fractional).
  public func number(_ value: Double) -> String {
    guard self == .epochs, value.rounded() != value, abs(value) < 100 else { return NumberFormat.count(value) }
    return String(format: "%.3g", value)
  }

  /// `step 1,234`, `4.02e10 tokens`, `epoch 12`.
  public func at(_ value: Double) -> String {
    switch self {
    case .steps: "step \(number(value))"
    case .epochs: "epoch \(number(value))"
    case .tokens, .samples: "\(number(value)) \(rawValue)"
    }
  }

  /// `steps 1,234–5,678`, `4.0e10–4.5e10 tokens`, `epochs 3–7`.
  public func span(_ low: Double, _ high: Double) -> String {
    switch self {
    case .steps, .epochs: "\(rawValue) \(number(low))–\(number(high))"
    case .tokens, .samples: "\(number(low))–\(number(high)) \(rawValue)"
    }
  }

  /// A position without the word where the sentence has it: `1,234`, `4.02e10 tokens`, `epoch 12`.
  func bare(_ value: Double) -> String {
    self == .steps ? number(value) : at(value)
  }

  /// An amount or a run's length: `1,234 steps`, `4.59e10 tokens`, `30 epochs`.
  func amount(_ value: Double) -> String {
    "\(number(value)) \(self == .epochs && value == 1 ? "epoch" : rawValue)"
  }

  /// The heading of a column of positions, and the `--at-step` row's label: `step`, `tokens`, `epoch`.
  var column: String { self == .epochs ? "epoch" : self == .steps ? "step" : rawValue }

  /// What a rollback skips: batches on a step axis, else the axis's own unit.
  var skipped: String { self == .steps ? "batches" : rawValue }

  /// The stretch of the axis a plateau's rate is quoted over, and its size: a thousand steps, a
  /// billion tokens, a million samples, one epoch (a thousand tokens would print 1e-11 nats).
  public var rateSpan: (label: String, length: Double) {
    switch self {
    case .steps: ("1k steps", 1e3)
    case .tokens: ("1B tokens", 1e9)
    case .samples: ("1M samples", 1e6)
    case .epochs: ("epoch", 1)
    }
  }
}

extension SeriesOrigin {
  /// The unit of the step column (`steps` for row numbers).
  public var axis: StepAxis { StepAxis(self) }
}
