import Foundation

/// The law that projects, reduced to what every projected number needs: its value at a step
/// (or the final loss of a run that long, for the annealing law), a delta-method estimate
/// there, and the bootstrap refits' values.
struct ProjectingLaw {
  var law: Forecast.Law
  /// The loss at `step` (the annealing law: the final loss of a run of `step` steps under the plan).
  var value: (Double) -> Double
  var estimate: (Double) -> Estimate
  var samples: (Double) -> [Double]
  /// The loss at each step of a run that ends at `end` under its own schedule.
  var alongRun: (_ steps: [Double], _ end: Double) -> [Double]
  /// `estimate` and `samples` at a step of a run that ends at `end` under its own schedule.
  var estimateAlong: (_ step: Double, _ end: Double) -> Estimate
  var samplesAlong: (_ step: Double, _ end: Double) -> [Double]

  static func power(_ fit: PowerLawFit, bootstrap: [PowerLaw]) -> ProjectingLaw {
    let model = fit.model
    return ProjectingLaw(
      law: Forecast.Law(rawValue: model.form.rawValue) ?? .power,
      value: { model($0) }, estimate: { fit.estimate(at: $0) }, samples: { t in bootstrap.map { $0(t) } },
      alongRun: { steps, _ in steps.map { model($0) } },
      estimateAlong: { step, _ in fit.estimate(at: step) }, samplesAlong: { step, _ in bootstrap.map { $0(step) } })
  }

  static func annealing(_ fit: AnnealingFit, schedule: ScheduleAnalysis) -> ProjectingLaw {
    let model = fit.model
    // The areas at `step` of a run of `length` steps under the plan.
    let areasAlong = { (step: Double, length: Double, lambda: Double) -> (s1: Double, s2: Double) in
      let areas = schedule.plan.curve(length: length, from: schedule.schedule).areas(at: [step], lambda: lambda)
      return (areas.s1[0], areas.s2[0])
    }
    let areasAt = { (length: Double, lambda: Double) in areasAlong(length, length, lambda) }
    let samplesAlong = { (step: Double, length: Double) -> [Double] in
      let fitted = areasAlong(step, length, model.lambda)
      return schedule.bootstrapModels.map { refit in
        let areas = refit.lambda == model.lambda ? fitted : areasAlong(step, length, refit.lambda)
        return refit(s1: areas.s1, s2: areas.s2)
      }
    }
    return ProjectingLaw(
      law: .annealing,
      value: { schedule.finalLoss(model, length: $0) },
      estimate: { length in
        let areas = areasAt(length, model.lambda)
        return fit.estimate(s1: areas.s1, s2: areas.s2)
      },
      samples: { length in samplesAlong(length, length) },
      alongRun: { steps, end in
        model.losses(at: steps, on: schedule.plan.curve(length: end, from: schedule.schedule))
      },
      estimateAlong: { step, end in
        let areas = areasAlong(step, end, model.lambda)
        return fit.estimate(s1: areas.s1, s2: areas.s2)
      },
      samplesAlong: samplesAlong)
  }

  /// The estimate at `step` with bootstrap intervals where the refits allow.
  func noiseEstimate(at step: Double) -> Estimate {
    var estimate = estimate(step)
    estimate.adoptBootstrap(samples(step))
    return estimate
  }

  /// The estimate at `step` of a run that ends at `end` under its own schedule.
  func noiseEstimate(at step: Double, alongRunEnding end: Double) -> Estimate {
    var estimate = estimateAlong(step, end)
    estimate.adoptBootstrap(samplesAlong(step, end))
    return estimate
  }

  /// `d ln L / d ln t` at `step`, by central differences.
  func logSlope(at step: Double) -> Double {
    let h = 0.02
    let up = value(step * Foundation.exp(h))
    let down = value(step * Foundation.exp(-h))
    guard up > 0, down > 0 else { return 0 }
    return (Foundation.log(up) - Foundation.log(down)) / (2 * h)
  }
}
