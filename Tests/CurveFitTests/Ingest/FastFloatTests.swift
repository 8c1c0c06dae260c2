import Foundation
import Testing

@testable import CurveFit

@Suite struct FastFloatTests {
  static let samples = [
    "0", "1", "-1", "3.14159", "2.198845E+00", "1e-5", "0.000123", "123456789012345678",
    "1.7976931348623157e308", "4.9e-324", "2.2250738585072014e-308", "0.1", "  7.5 ",
    "9007199254740993", "1234567890.0987654321", "+2.5", ".5", "5.",
  ]

  @Test(arguments: samples)
  func matchesTheStandardLibrary(_ text: String) throws {
    let bytes = Array(text.utf8)
    let parsed = bytes.withUnsafeBufferPointer { FastFloat.parse($0) }
    let expected = try #require(Double(text.trimmingCharacters(in: .whitespaces)))
    #expect(parsed == expected)
  }

  @Test(arguments: ["", "abc", "1.2.3", "1e", "--1", "1,5", "nanx"])
  func rejectsNonNumbers(_ text: String) {
    let parsed = Array(text.utf8).withUnsafeBufferPointer { FastFloat.parse($0) }
    #expect(parsed == nil)
  }
}
