import CurveFitTestSupport
import Foundation
import Testing

@testable import CurveFit

/// Losses printed in their framework's wrapper, as loops that print `loss` rather than
/// `loss.item()` write them: read as the number inside.
@Suite struct WrappedNumberTests {
  static let losses = (1...40).map { 2 + 8 * Foundation.pow(Double($0), -0.4) }

  static func read(_ text: String) throws -> LossSeries {
    try LogReader().read(bytes: Array(text.utf8), source: "train.log")
  }

  @Test("a console line per step with the loss wrapped reads its numbers", arguments: [
    "step {s}: loss tensor({l}, device='cuda:0', grad_fn=<NllLossBackward0>)",
    "step {s}: loss tensor({l})",
    "Epoch 1, step {s}, loss: tensor({l}, grad_fn=<NllLossBackward0>)",
    "step {s}, loss Array({l}, dtype=float32)",
    "{'step': {s}, 'loss': np.float32({l})}",
    "{'step': {s}, 'loss': tensor([{l}], device='cuda:0')}",
  ])
  func consoleLines(template: String) throws {
    let text = zip(1..., Self.losses).map { step, loss in
      template.replacingOccurrences(of: "{s}", with: "\(step)").replacingOccurrences(of: "{l}", with: "\(loss)")
    }.joined(separator: "\n") + "\n"
    // Before: "train.log:2: column 'step 1: loss tensor(10.0' has …, expected a number" (the
    // tensor's commas read as a CSV), or "not a format curvefit recognises".
    let series = try Self.read(text)
    #expect(series.steps == (1...40).map(Double.init))
    #expect(series.losses == Self.losses)
  }

  @Test func tableCellsHoldingTensorsAreTheirNumbers() throws {
    // pandas writes a column of tensors as their repr, quoted where it holds a comma.
    let csv = "step,loss\n" + zip(1..., Self.losses).map { step, loss in
      step % 2 == 0 ? "\(step),\"tensor(\(loss), device='cuda:0')\"" : "tensor(\(step)),tensor(\(loss))"
    }.joined(separator: "\n") + "\n"
    let series = try Self.read(csv)
    #expect(series.losses == Self.losses && series.steps.last == 40)
    // A word that is not a number stays an error naming its line.
    #expect(throws: IngestError.self) { try Self.read("step,loss\n1,2.5\n2,tensor(abc)\n") }
  }

  @Test func otherParenthesesAreLeftAlone() {
    #expect(WrappedNumber.unwrap("step 1/10 | loss 2.5 (+nanz)| norm 0.7 (+1.2z)") == "step 1/10 | loss 2.5 (+nanz)| norm 0.7 (+1.2z)")
    #expect(WrappedNumber.unwrap("mytensor(2.5) f(3)") == "mytensor(2.5) f(3)")
    #expect(WrappedNumber.unwrap("loss=np.float64(2.5), lr=np.float64(3e-4)") == "loss=2.5, lr=3e-4")
  }
}
