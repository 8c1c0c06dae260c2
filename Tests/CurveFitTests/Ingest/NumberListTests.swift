import Foundation
import Testing

@testable import CurveFit

/// Losses saved as a list and nothing else are read by position, steps 1…n.
@Suite struct NumberListTests {
  func read(_ text: String) throws -> LossSeries {
    try LogReader().read(bytes: Array(text.utf8), source: "losses.txt")
  }

  @Test func aJSONArrayIsTheLossByPosition() throws {
    // `json.dump(losses, f)`: before, "no loss column; columns are [2.5, 2.1, …".
    let series = try read("[2.5, 2.1, 1.9, 1.8, 1.75]")
    #expect(series.steps == [1, 2, 3, 4, 5])
    #expect(series.losses == [2.5, 2.1, 1.9, 1.8, 1.75])
    #expect(series.origin.format == "list of numbers")
  }

  @Test func pythonsListReprKeepsItsNaN() throws {
    let series = try read("[2.5, 2.1, nan, 1.8, 1.75]\n")
    #expect(series.losses[2].isNaN)
    #expect(series.losses.count == 5)
  }

  @Test func aPrettyPrintedArrayAndARowAreLists() throws {
    let pretty = try read("[\n  2.5,\n  2.1,\n  1.9\n]\n")
    #expect(pretty.losses == [2.5, 2.1, 1.9])
    // `np.savetxt(f, losses[None])` or `print(*losses)`: one row.
    let row = try read("2.5 2.1 1.9 1.8 1.75 1.7\n")
    #expect(row.losses == [2.5, 2.1, 1.9, 1.8, 1.75, 1.7])
  }

  @Test func aBracketedCountIsStillALogLine() throws {
    let log = try read((1...3).map { "[  \($0 * 10)/1000] train/loss: \(4 - Double($0) * 0.5)" }.joined(separator: "\n"))
    #expect(log.origin.format == "text ([N/T] loss)")
    #expect(log.steps == [10, 20, 30])
  }

  @Test func anItemThatIsNotANumberNamesItsLine() {
    #expect(throws: IngestError.badNumber(SourceLocation(source: "losses.txt", line: 3), column: "loss", text: "oops")) {
      try read("[\n  2.5,\n  oops,\n  1.9\n]\n")
    }
  }

  @Test func aListOnOneLineWithABadItemNamesIt() {
    // Before: read as a CSV header, "no loss column; columns are [2.5, 2.1, abc]".
    #expect(throws: IngestError.badNumber(SourceLocation(source: "losses.txt", line: 1), column: "loss", text: "abc")) {
      try read("[2.5, 2.1, abc]\n")
    }
  }
}
