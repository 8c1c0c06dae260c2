import Foundation
import Testing

@testable import CurveFit

/// The fast row loop must give exactly what the general per-line parser gives, hand over every
/// line it does not understand, and keep line numbers right across block boundaries.
@Suite struct DelimitedRowParserTests {
  @Test(arguments: FastFloatTests.samples + [
    "-0", "1E5", "6.02e+23", "123.456e-3", "0.00000015", "12345678901234567890", "12345678", "123456789",
    "0.12345678", "87654321.1234567", "1.00000000001", "00000000000000000001", "9999999999999999.9",
  ])
  func acceptedNumbersMatchTheStandardLibrary(_ text: String) throws {
    let bytes = Array(text.utf8)
    let parsed = bytes.withUnsafeBufferPointer { buffer -> Double? in
      guard let base = buffer.baseAddress else { return nil }
      var cursor = base
      let value = FastFloat.prefix(&cursor, base + buffer.count)
      // Accepted means the whole text was one number.
      return cursor == base + buffer.count ? value : nil
    }
    // What it takes is exact; what it hands over (spaces, 20 digits, mantissas past 2^53, huge
    // exponents) the general parser reads.
    let expected = try #require(Double(text.trimmingCharacters(in: .whitespaces)))
    if let parsed {
      #expect(parsed.bitPattern == expected.bitPattern)
    } else {
      let general = bytes.withUnsafeBufferPointer { FastFloat.parse($0) }
      #expect(general == expected)
    }
  }

  @Test(arguments: ["", "-", ".", "e5", "abc", "\"1\"", "nan", "1e"])
  func rejectsWhatItCannotParseExactly(_ text: String) {
    let bytes = Array(text.utf8)
    let parsed = bytes.withUnsafeBufferPointer { buffer -> Double? in
      guard let base = buffer.baseAddress else { return nil }
      var cursor = base
      return FastFloat.prefix(&cursor, base + buffer.count)
    }
    #expect(parsed == nil)
  }

  /// A log mixing plain rows with every kind the loop hands over: quoted cells, blank and
  /// unreadable optional cells, spaces, long mantissas, big exponents, NaN losses, blank lines,
  /// missing losses and CRLF ends.
  static func mixedLog(rows: Int, seed: UInt64) -> String {
    var random = SplitMix64(seed: seed)
    func uniform() -> Double { Double(random.next() >> 11) / Double(1 << 53) }
    var text = "step,loss,\"note, quoted\",lr,grad_norm\r\n"
    for row in 1...rows {
      let loss = 2 + 8 / Double(row).squareRoot() + 0.01 * uniform()
      var lossCell = String(loss)
      var note = "x"
      var lr = String(3e-4 * uniform())
      var grad = String(format: "%.4f", uniform())
      switch random.next() % 24 {
      case 0: note = "\"a, b\""
      case 1: grad = ""
      case 2: lr = "n/a"
      case 3: lossCell = " \(lossCell) "
      case 4: lossCell = "2.12345678901234567891"
      case 5: lossCell = "1.5e300"
      case 6: lossCell = "nan"
      case 7: lossCell = ""
      case 8: text += "\n"
      case 9: lossCell = "-0.0"
      default: break
      }
      text += "\(row),\(lossCell),\(note),\(lr),\(grad)" + (row % 3 == 0 ? "\r\n" : "\n")
    }
    return text
  }

  /// Reads `bytes` through blocks of `blockSize` and the fast loop.
  static func readByBlocks(_ bytes: [UInt8], blockSize: Int) throws -> LossSeries {
    let session = IngestSession(source: "mixed.csv", selection: ColumnSelection())
    var linesBefore = 0
    try LineReader(input: .memory(bytes), source: "mixed.csv", blockSize: blockSize)
      .forEachBlock { (block) throws(IngestError) -> Int in
        let count = try session.consume(block: block, firstLine: linesBefore + 1)
        linesBefore += count
        return count
      }
    return try session.finish()
  }

  /// Reads `bytes` line by line through the general parser only.
  static func readByLines(_ bytes: [UInt8]) throws -> LossSeries {
    let session = IngestSession(source: "mixed.csv", selection: ColumnSelection())
    try LineReader(input: .memory(bytes), source: "mixed.csv").forEachLine { (line, number) throws(IngestError) -> Bool in
      try session.consume(line, number: number)
      return true
    }
    return try session.finish()
  }

  @Test(arguments: [64, 1 << 12, 1 << 20])
  func equalsTheGeneralParserBitForBit(blockSize: Int) throws {
    let bytes = Array(Self.mixedLog(rows: 20_000, seed: 7).utf8)
    let fast = try Self.readByBlocks(bytes, blockSize: blockSize)
    let general = try Self.readByLines(bytes)
    let bits = { (values: [Double]?) in values?.map(\.bitPattern) }
    #expect(fast.count == general.count)
    #expect(fast.count > 18_000)
    #expect(bits(fast.steps) == bits(general.steps))
    #expect(bits(fast.losses) == bits(general.losses))
    #expect(bits(fast.learningRates) == bits(general.learningRates))
    #expect(bits(fast.gradNorms) == bits(general.gradNorms))
    #expect(fast.origin.rowsRead == general.origin.rowsRead)
    #expect(fast.origin.rowsWithoutLoss == general.origin.rowsWithoutLoss)
    // The awkward rows really were there: NaN losses, unreadable rates (each read between the
    // rows around it, as rows without a loss lend theirs), a 1.5e300 loss.
    #expect(fast.losses.contains { $0.isNaN })
    #expect(fast.origin.notes.contains { $0.hasPrefix("loss: ") && $0.contains("which log none") && $0.contains("the lr") })
    #expect(fast.origin.notes == general.origin.notes)
    #expect(fast.losses.contains(1.5e300))
  }

  @Test(arguments: [64, 1 << 20])
  func errorsNameTheirLineAfterBlankLinesAndBlocks(blockSize: Int) throws {
    // Line 1 is the header; blank lines count; the bad row is line 1 + 3,000 + 2 + 1.
    var text = "step,loss\n"
    for row in 1...3_000 { text += "\(row),\(2.5 + 1 / Double(row))\n" }
    text += "\n\n3001,2.4x\n3002,2.3\n"
    do {
      let series = try Self.readByBlocks(Array(text.utf8), blockSize: blockSize)
      Issue.record("expected an error, got \(series.count) points")
    } catch {
      #expect("\(error)" == "mixed.csv:3004: column 'loss' has '2.4x', expected a number")
    }
  }

  @Test func rowNumberStepsCountAcrossBlocks() throws {
    var text = "loss,lr\n"
    for row in 1...5_000 { text += "\(3 + 1 / Double(row)),0.001\n" }
    let series = try Self.readByBlocks(Array(text.utf8), blockSize: 64)
    #expect(series.steps == (1...5_000).map(Double.init))
  }
}
