import CurveFit
import CurveFitTestSupport
import Foundation
import Testing

/// A log of its perplexity alone (`step,ppl`): read as the loss's exponential.
@Suite(.serialized) struct PerplexityColumnTests {
  /// e^(2 + 8·t^−0.4): the loss of a known power law, logged as its perplexity.
  static let csv = "step,train_perplexity\n"
    + (1...300).map { "\($0),\(Foundation.exp(2 + 8 * Foundation.pow(Double($0), -0.4)))" }.joined(separator: "\n") + "\n"

  static func fit(_ stdout: String) throws -> [String: Any] {
    let json = try #require(try JSONSerialization.jsonObject(with: Data(stdout.utf8)) as? [String: Any])
    return try #require(json["fit"] as? [String: Any])
  }

  @Test func aPerplexityColumnIsReadAsItsLog() throws {
    // Before: "no loss column; columns are step, train_perplexity (choose one with --loss-col)".
    let result = try CommandRunner.run(["--format", "json", "--bootstrap", "0"], stdin: Self.csv)
    #expect(result.status == 0, "\(result.stderr)")
    let fit = try Self.fit(result.stdout)
    // The law's own parameters, to 0.1%.
    #expect(abs((fit["L_min"] as? Double ?? 0) - 2) < 0.002, "\(fit)")
    #expect(abs((fit["alpha"] as? Double ?? 0) - 0.4) < 0.0004, "\(fit)")
    let text = try CommandRunner.run(["--bootstrap", "0"], stdin: Self.csv)
    #expect(text.stdout.contains("note: \"train_perplexity\" is a perplexity: read as its log, the loss in nats"))
    // Units given are the user's word: nats reads the numbers as they are.
    let raw = try CommandRunner.run(["--format", "json", "--bootstrap", "0", "--input-units", "nats"], stdin: Self.csv)
    #expect((try Self.fit(raw.stdout)["L_min"] as? Double ?? 0) > 5)
  }

  @Test func onlyTrainingPerplexitiesAreTaken() {
    #expect(ColumnSelection.namesTrainingPerplexity("ppl") && ColumnSelection.namesTrainingPerplexity("train/perplexity"))
    #expect(!ColumnSelection.namesTrainingPerplexity("val_ppl") && !ColumnSelection.namesTrainingPerplexity("ppl_std"))
    #expect(!ColumnSelection.namesTrainingPerplexity("loss"))
    // A benchmark's perplexity (Pythia's LAMBADA evaluations) is not the run's loss.
    #expect(!ColumnSelection.namesTrainingPerplexity("lambada_openai_ppl"))
  }
}
