import CurveFitTestSupport
import Foundation
import Testing

@testable import CurveFit

/// Tables apart by semicolons (Excel's CSV with decimal commas) or bars (Markdown): read as
/// their columns, where they were read as one column named `step;loss`.
@Suite struct SeparatedTableTests {
  static let losses = [3.25, 2.75, 2.5, 2.375, 2.3125]

  static func read(_ text: String) throws -> LossSeries {
    try LogReader().read(bytes: Array(text.utf8), source: "run.csv")
  }

  @Test func semicolonsWithDecimalCommas() throws {
    let text = "step;loss;lr\r\n" + Self.losses.enumerated().map { index, loss in
      "\(10 * (index + 1));\(loss);0,0003".replacingOccurrences(of: ".", with: ",")
    }.joined(separator: "\r\n") + "\r\n"
    // Before: "run.csv:2: column 'step;loss;lr' has '10;3,25;0,0003', expected a number".
    let series = try Self.read(text)
    #expect(series.origin.format == "csv (semicolon-separated)")
    #expect(series.steps == [10, 20, 30, 40, 50] && series.losses == Self.losses)
    #expect(series.learningRates == [Double](repeating: 0.0003, count: 5))
    #expect(series.origin.notes.contains("commas inside cells read as decimal marks (2,345 is 2.345)"))
    // With decimal points, no note.
    let points = try Self.read("step;loss\n1;3.25\n2;2.75\n3;2.5\n")
    #expect(points.losses == [3.25, 2.75, 2.5] && points.origin.notes.isEmpty)
  }

  @Test func aMarkdownTable() throws {
    let text = "| step | train loss | note |\n|-----:|-----------:|:-----|\n" + Self.losses.enumerated().map { index, loss in
      "| \(index + 1) | \(loss) | a, b |"
    }.joined(separator: "\n") + "\n"
    let series = try Self.read(text)
    #expect(series.origin.format == "csv (Markdown table)")
    #expect(series.steps == [1, 2, 3, 4, 5] && series.losses == Self.losses)
    #expect(series.origin.lossColumn == "train loss")
  }

  @Test func aMarkdownTableAfterATitle() throws {
    let text = "# Run 7\n\nLosses from the cluster:\n\n| step | loss |\n|---|---|\n| 10 | 3.25 |\n| 20 | 2.75 |\n| 30 | 2.5 |\n\nAll good.\n"
    let series = try Self.read(text)
    #expect(series.origin.format == "csv (Markdown table)")
    #expect(series.steps == [10, 20, 30] && series.losses == [3.25, 2.75, 2.5])
  }

  @Test func errorsNameTheFilesOwnLine() {
    // The rule line is kept as a blank one: the bad cell is on line 4 of the file.
    let text = "| step | loss |\n|---|---|\n| 1 | 3.2 |\n| 2 | oops |\n"
    #expect {
      try Self.read(text)
    } throws: { error in
      (error as? IngestError)?.description.hasPrefix("run.csv:4: column 'loss' has 'oops'") == true
    }
  }
}
