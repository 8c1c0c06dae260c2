@testable import CurveFit
import Foundation
import Testing

/// Long tables of metrics, one row per metric and step, read from a file by pivoting them.
@Suite struct LongMetricTableTests {
  func file(_ name: String, _ text: String) throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("\(getpid())-\(name)").path
    try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    return path
  }

  @Test func mlflowKeyValueStepIsReadByMetric() throws {
    // Rows out of step order and an evaluation metric logged every other step, as MLflow exports them.
    var text = "key,value,step,timestamp\n"
    for step in [3, 1, 2, 4] {
      text += "train_loss,\(5 - Double(step) / 2),\(step),17000000\(step)\n"
      text += "learning_rate,\(0.001 / Double(step)),\(step),17000000\(step)\n"
      if step % 2 == 0 { text += "eval_loss,\(6 - Double(step) / 2),\(step),17000000\(step)\n" }
    }
    let path = try file("mlflow.csv", text)
    defer { try? FileManager.default.removeItem(atPath: path) }
    let series = try #require(try LogReader().readAll(path: path).first).series
    #expect(series.origin.lossColumn == "train_loss")
    #expect(series.origin.format == "csv, long table of metrics")
    #expect(series.steps == [1, 2, 3, 4] && series.losses == [4.5, 4, 3.5, 3])
    #expect(series.learningRates == [0.001, 0.0005, 0.001 / 3, 0.00025])
    let eval = try #require(try LogReader().readAll(path: path, request: SeriesRequest(metrics: ["eval_loss"])).first).series
    #expect(eval.steps == [2, 4] && eval.losses == [5, 4])
  }

  @Test func aBadValueNamesTheFilesOwnLine() throws {
    let text = "key,value,step\ntrain_loss,2.5,1\ntrain_loss,2.4,2\n\ntrain_loss,oops,3\nlr,0.1,x\n"
    let path = try file("bad.csv", text)
    defer { try? FileManager.default.removeItem(atPath: path) }
    do {
      _ = try LogReader().readAll(path: path)
      Issue.record("expected an error")
    } catch {
      #expect("\(error)" == "\(path):5: column 'value' has 'oops', expected a number")
    }
    // A row without a numeric step is skipped, and the note counts it.
    let fine = try file("skip.csv", "key,value,step\n" + (1...6).map { "train_loss,\(3 - Double($0) / 10),\($0)\n" }.joined() + "lr,0.1,x\n")
    defer { try? FileManager.default.removeItem(atPath: fine) }
    let series = try #require(try LogReader().readAll(path: fine).first).series
    #expect(series.count == 6)
    #expect(series.origin.notes.contains { $0.hasSuffix("1 row without a finite step skipped") })
  }

  @Test func tbparseStepTagValueWithQuotedTags() throws {
    let text = "step,tag,value\n" + (1...3).map { "\($0),\"train/loss\",\(3 - Double($0) / 4)\n\($0),\"lr, group 0\",0.1\n" }.joined()
    let path = try file("tbparse.csv", text)
    defer { try? FileManager.default.removeItem(atPath: path) }
    let series = try #require(try LogReader().readAll(path: path).first).series
    #expect(series.origin.lossColumn == "train/loss")
    #expect(series.losses == [2.75, 2.5, 2.25])
    #expect(series.origin.columns.contains("lr, group 0"))
  }
}
