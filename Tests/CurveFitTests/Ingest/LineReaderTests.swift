import Foundation
import Testing

@testable import CurveFit

/// A progress bar captured to a file is one line of redraws apart by `\r`: read redraw by redraw,
/// it needs no line longer than a redraw.
@Suite struct LineReaderTests {
  static func redraws(_ bytes: [UInt8], blockSize: Int, maxLineLength: Int) throws -> [(String, Int)] {
    var seen: [(String, Int)] = []
    try LineReader(input: .memory(bytes), source: "bar.log", blockSize: blockSize, maxLineLength: maxLineLength)
      .forEachRedraw { (piece, number) throws(IngestError) -> Bool in
        seen.append((String(decoding: piece, as: UTF8.self), number))
        return true
      }
    return seen
  }

  @Test(arguments: [16, 64, 4_096])
  func aLineOfRedrawsLongerThanTheLimitIsReadPieceByPiece(blockSize: Int) throws {
    // 2,000 redraws of about 20 bytes on one line, 40 KB against a limit of 256 bytes, then a
    // CRLF line and a last line without a newline.
    let bar = (1...2_000).map { "Steps: \($0)/2000 x" }.joined(separator: "\r")
    let text = "banner\n" + bar + "\r\nnext line\r\nlast"
    let seen = try Self.redraws(Array(text.utf8), blockSize: blockSize, maxLineLength: 256)
    #expect(seen.count == 1 + 2_000 + 2)
    #expect(seen.first! == ("banner", 1))
    #expect(seen[1] == ("Steps: 1/2000 x", 2) && seen[2_000] == ("Steps: 2000/2000 x", 2))
    #expect(seen[2_001] == ("next line", 3) && seen[2_002] == ("last", 4))
    // Line by line, the same bytes are a line too long.
    #expect(throws: IngestError.self) {
      try LineReader(input: .memory(Array(text.utf8)), source: "bar.log", blockSize: blockSize, maxLineLength: 256)
        .forEachLine { (_, _) throws(IngestError) -> Bool in true }
    }
  }

  @Test func aSingleRedrawLongerThanTheLimitIsStillAnError() throws {
    let text = "a\r" + String(repeating: "x", count: 1_000) + "\rb\n"
    #expect(throws: IngestError.self) { try Self.redraws(Array(text.utf8), blockSize: 64, maxLineLength: 256) }
  }
}
