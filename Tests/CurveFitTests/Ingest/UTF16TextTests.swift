import CurveFitTestSupport
import Foundation
import Testing

@testable import CurveFit

/// Logs written as UTF-16 (Windows PowerShell's `>` and `Out-File`, Notepad's "Unicode"): read as
/// their text, not refused as binary data.
@Suite struct UTF16TextTests {
  static let csv = "step,loss\r\n" + (1...50).map { "\($0),\(2 + 8 * Foundation.pow(Double($0), -0.4))\r\n" }.joined()

  static func encoded(_ text: String, bigEndian: Bool, mark: Bool) -> [UInt8] {
    var bytes: [UInt8] = mark ? (bigEndian ? [0xFE, 0xFF] : [0xFF, 0xFE]) : []
    for unit in text.utf16 {
      let (high, low) = (UInt8(unit >> 8), UInt8(unit & 0xFF))
      bytes += bigEndian ? [high, low] : [low, high]
    }
    return bytes
  }

  @Test("UTF-16 with either byte order, marked or not, reads as the UTF-8 text does", arguments: [
    (false, true), (true, true), (false, false), (true, false),
  ])
  func readsAsUTF8(bigEndian: Bool, mark: Bool) throws {
    let reader = LogReader()
    let plain = try reader.read(bytes: Array(Self.csv.utf8), source: "log.csv")
    // Before: "log.csv: looks like binary data, expected a CSV, TSV or JSON-lines text log".
    let wide = try reader.read(bytes: Self.encoded(Self.csv, bigEndian: bigEndian, mark: mark), source: "log.csv")
    #expect(wide.steps == plain.steps && wide.losses == plain.losses)
    #expect(wide.origin.format == "csv, " + (bigEndian ? "UTF-16 big-endian" : "UTF-16"))
  }

  @Test func aConsoleLogInUTF16IsReadByItsLayout() throws {
    let log = (1...30).map { "iter \($0): loss \(4 - 0.05 * Double($0)), time 12.3ms\r\n" }.joined()
    let series = try LogReader().read(bytes: Self.encoded(log, bigEndian: false, mark: true), source: "train.log")
    #expect(series.origin.format == "text (nanoGPT), UTF-16")
    #expect(series.count == 30 && series.losses.last == 2.5)
  }

  @Test func textBeyondASCIIAndAnOddByteSurvive() throws {
    // A header naming the loss in Japanese, a trailing odd byte (a file cut mid-character).
    let text = "step,損失\n1,3.0\n2,2.5\n3,2.25\n"
    let bytes = Self.encoded(text, bigEndian: false, mark: true) + [0x41]
    let utf8 = try UTF16Text.utf8(bytes, bigEndian: false, source: "x", limit: 1 << 20)
    #expect(String(decoding: utf8, as: UTF8.self) == text)
  }

  @Test func binaryDataIsNotTakenForUTF16() {
    // A TensorBoard record's length (8 bytes, little-endian) then its CRC: zeros, but not every other byte.
    let record: [UInt8] = [0x18, 0, 0, 0, 0, 0, 0, 0, 0xA3, 0x7F, 0x4B, 0x12] + [UInt8](repeating: 0x41, count: 40)
    #expect(UTF16Text.byteOrder(of: record) == nil)
    // UTF-32's little-endian mark opens with UTF-16's.
    #expect(UTF16Text.byteOrder(of: [0xFF, 0xFE, 0, 0, 0x73, 0, 0, 0]) == nil)
    #expect(UTF16Text.byteOrder(of: Array("step,loss\n1,2\n2,1\n".utf8)) == nil)
  }
}
