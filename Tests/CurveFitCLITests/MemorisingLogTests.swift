import CurveFitTestSupport
import Foundation
import Testing

/// A console log whose training loss falls on while its evaluation lines have stopped falling:
/// nanoGPT's Shakespeare demo, cut at half.
@Suite struct MemorisingLogTests {
  /// nanoGPT's layout to step 2,500: `iter N: loss X` every 10 iterations, falling as
  /// `0.4 + 12·t^−0.45` and from step 1,500 by `0.05·((t − 1500)/1000)^1.5` more (memorising),
  /// and `step N: train loss X, val loss Y` every 250, the evaluation loss lowest at step 1,750.
  /// Without `memorising`, the training loss follows the first term alone and the evaluation
  /// loss 3% above it, falling with it.
  static func log(memorising: Bool) -> String {
    func learnt(_ t: Double) -> Double { 0.4 + 12 * Foundation.pow(t, -0.45) }
    func training(_ t: Double) -> Double {
      learnt(t) - (memorising && t > 1_500 ? 0.05 * Foundation.pow((t - 1_500) / 1_000, 1.5) : 0)
    }
    var text = "Overriding config with config/train_shakespeare_char.py:\n"
    for step in stride(from: 10, through: 2_500, by: 10) {
      let t = Double(step)
      if step % 250 == 0 {
        let stalled = t > 1_750 ? (learnt(1_750) + 0.35) * (1 + 0.01 * (t - 1_750) / 250) : learnt(t) + 0.35
        let held = memorising ? stalled : 1.03 * training(t)
        text += "step \(step): train loss \(training(t)), val loss \(held)\n"
      }
      text += "iter \(step): loss \(training(t) * (1 + 0.01 * Foundation.sin(2.3 * t / 10))), time 765.00ms, mfu 0.48%\n"
    }
    return text
  }

  static func run(_ text: String, _ arguments: [String]) throws -> CommandResult {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("memorising-\(UUID().uuidString).log").path
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try CommandRunner.run([path, "--bootstrap", "60"] + arguments)
  }

  @Test func theBandsOfATrainingLossPastItsEvaluationLossOpenBelow() throws {
    let text = try Self.run(Self.log(memorising: true), [])
    #expect(text.status == 0, "\(text.stderr)")
    // By hand: the medians of the last 24 losses (a tenth of the fitted points) up to step 1,750
    // and up to 2,500 sit near steps 1,635 and 2,385: 0.827 and 0.721, a fall of 12.9%; the
    // evaluation loss's lowest, 0.817 + 0.35 = 1.167, is 38.2% above 0.721.
    #expect(text.stdout.contains(
      "  ! the training loss has fallen 13% since val_loss was lowest (1.17 at step 1,750) and is 38% below it: the model is "
        + "learning its training data by heart, so this loss can fall to near zero and the bands reach down to 0"),
      "\(text.stdout)")
    let json = try Self.run(Self.log(memorising: true), ["--format", "json"])
    let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
    let forecast = try #require(object["forecast"] as? [String: Any])
    #expect(forecast["open_below_reason"] as? String == "memorising")
    let found = try #require(forecast["memorising"] as? [String: Any])
    #expect(found["held_out"] as? String == "val_loss" && found["held_out_lowest_step"] as? Double == 1_750)
    #expect(found["evaluations_since"] as? Int == 3)
    let twice = try #require((object["projections"] as? [[String: Any]])?.first { $0["factor"] as? Double == 2 })
    // The run's loss at step 5,000 would be 0.333: below the law's floor, inside the band.
    let band = try #require(twice["ci95"] as? [Double])
    #expect(band[0] == 0 && band[1] > 0.333, "\(band)")
  }

  @Test func aTrainingLossThatKeepsUpWithItsEvaluationLossKeepsItsBands() throws {
    let json = try Self.run(Self.log(memorising: false), ["--format", "json"])
    #expect(json.status == 0, "\(json.stderr)")
    let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
    let forecast = try #require(object["forecast"] as? [String: Any])
    #expect(forecast["open_below"] as? Bool == false && forecast["memorising"] is NSNull, "\(forecast)")
    let twice = try #require((object["projections"] as? [[String: Any]])?.first { $0["factor"] as? Double == 2 })
    #expect(try #require(twice["ci95"] as? [Double])[0] > 0.5)
  }
}
