@testable import CurveFit
import Foundation
import Testing

/// The error per doubling a projection carries when its run is too short to backtest.
@Suite("Shape error prior")
struct ShapeErrorPriorTests {
  @Test("a power law too short to backtest carries 2.5% per doubling, stretched for a narrow fit")
  func powerLawPrior() {
    let wide = ShapeError(errors: [], scheduleKnown: false, span: 10)
    #expect(wide.measured == nil && wide.perDoubling == 0.025)
    // A fit spanning 2× its first step: stretched by log 4 / log 2 = 2.
    let narrow = ShapeError(errors: [], scheduleKnown: false, span: 2)
    #expect(abs(narrow.perDoubling - 0.05) < 1e-12, "\(narrow.perDoubling)")
    // At 10× with the schedule unknown, by hand: up = 0.025·√log₂10 = 0.045564;
    // down = √(up² + max(0.02·log₂10, 0.05)²) = √(0.0020761 + 0.0044140) = 0.080561.
    let tenfold = wide.sigmas(factor: 10)
    #expect(abs(tenfold.up - 0.045564) < 1e-5, "\(tenfold.up)")
    #expect(abs(tenfold.down - 0.080561) < 1e-5, "\(tenfold.down)")
  }

  @Test("the annealing law too short to backtest keeps its own floor, 1.5% per doubling")
  func annealingKeepsItsFloor() {
    let shape = ShapeError(errors: [], scheduleKnown: true, annealing: true)
    #expect(shape.perDoubling == 0.015 && shape.perDoubling == shape.leastPerDoubling)
    #expect(shape.sigmas(factor: 2) == (up: 0.015, down: 0.015))
  }
}
