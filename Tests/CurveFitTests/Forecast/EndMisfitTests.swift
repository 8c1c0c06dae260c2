@testable import CurveFit
import Testing

/// `EndGap.misfit`: a fitted curve that ends more than 3% and 5 standard errors from the log's
/// last losses, short of the 10% `EndGap.measure` reports, is said in the report.
@Suite("A fitted curve that misfits the end of the run")
struct EndMisfitTests {
  @Test("apart by 4.6% and 21 standard errors: a misfit (the Star drafter from half, by hand)")
  func starDrafter() throws {
    // The curve ends at 4.32; the last 50 losses have a median of 4.53, known to ±0.01.
    let misfit = try #require(EndGap.misfit(fitted: 4.32, recent: (median: 4.53, standardError: 0.01, count: 50)))
    #expect(misfit.fitted == 4.32 && misfit.logged == 4.53 && misfit.points == 50)
    #expect(EndGap.measure(fitted: 4.32, recent: (median: 4.53, standardError: 0.01, count: 50)) == nil, "under 10%")
  }

  @Test("within 3%, within the noise, or beyond 10%: no misfit")
  func notAMisfit() {
    // 2.9% apart: close enough.
    #expect(EndGap.misfit(fitted: 4.40, recent: (median: 4.53, standardError: 0.001, count: 50)) == nil)
    // 4.6% apart but the median is known only to ±0.05: 4.2 standard errors.
    #expect(EndGap.misfit(fitted: 4.32, recent: (median: 4.53, standardError: 0.05, count: 5)) == nil)
    // 12% apart: the end gap's, which acts on the bands; the misfit does not say it twice.
    #expect(EndGap.misfit(fitted: 4.0, recent: (median: 4.55, standardError: 0.01, count: 50)) == nil)
    #expect(EndGap.measure(fitted: 4.0, recent: (median: 4.55, standardError: 0.01, count: 50)) != nil)
    #expect(EndGap.misfit(fitted: .nan, recent: (median: 4.53, standardError: 0.01, count: 50)) == nil)
  }

  @Test("above the log as well as below it")
  func above() throws {
    let misfit = try #require(EndGap.misfit(fitted: 4.16, recent: (median: 4.02, standardError: 0.002, count: 190)))
    #expect(misfit.fitted > misfit.logged)
  }
}
