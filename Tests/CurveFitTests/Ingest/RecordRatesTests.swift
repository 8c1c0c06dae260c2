import CurveFitTestSupport
import Foundation
import Testing

@testable import CurveFit

/// An evaluation loss logged on rows of its own, without the learning rate the training rows
/// beside it carry: its rates are read between those rows, so its report knows the schedule.
@Suite struct RecordRatesTests {
  func read(_ text: String, loss: String, source: String) throws -> LossSeries {
    try LogReader(selection: ColumnSelection(lossColumn: loss)).read(bytes: Array(text.utf8), source: source)
  }

  @Test("a trainer state's evaluation records take the rate of the training records around them")
  func trainerStateEvaluations() throws {
    // Training records every 500 steps, a linear decay from 2e-5 by 2e-6 a record; evaluations
    // at 549, 1,000 (beside a training record) and 5,490 (past the last rate: left unknown).
    var history: [String] = []
    for index in 1...5 {
      history.append(#"{"step": \#(500 * index), "loss": \#(1.0 / Double(index)), "learning_rate": \#(2e-5 - 2e-6 * Double(index - 1))}"#)
    }
    history.insert(#"{"step": 549, "eval_loss": 0.66}"#, at: 1)
    history.insert(#"{"step": 1000, "eval_loss": 0.55}"#, at: 3)
    history.append(#"{"step": 5490, "eval_loss": 0.49}"#)
    let state = #"{"global_step": 5490, "log_history": ["# + history.joined(separator: ", ") + #"], "max_steps": 5490}"#
    let series = try read(state, loss: "eval_loss", source: "trainer_state.json")
    #expect(series.steps == [549, 1_000, 5_490])
    let rates = try #require(series.learningRates)
    // 49 of the 500 steps from 2.0e-5 to 1.8e-5: 2e-5 − 2e-6 × 0.098 (hand computed).
    #expect(relativeError(rates[0], 1.9804e-5) < 1e-9, "\(rates[0])")
    #expect(rates[1] == 1.8e-5)
    #expect(rates[2].isNaN, "a schedule is not extrapolated past its last logged rate")
    #expect(series.origin.notes.contains("eval_loss: the learning_rate of 2 of its rows, which log none, is read between the rows around them that log one"))
    // The training loss is read as before: its records carry their own rates.
    let training = try read(state, loss: "loss", source: "trainer_state.json")
    let own = try #require(training.learningRates)
    #expect(zip(own, [2e-5, 1.8e-5, 1.6e-5, 1.4e-5, 1.2e-5]).allSatisfy { relativeError($0, $1) < 1e-12 } && own.count == 5)
    #expect(!training.origin.notes.contains { $0.contains("which log none") })
  }

  @Test("Lightning's metrics.csv and JSON lines: validation rows with an empty rate take the training rows'")
  func validationRowsOfATableAndJSONLines() throws {
    let csv = "epoch,step,lr-AdamW,train_loss,val_loss\n0,10,3e-4,2.5,\n0,20,2e-4,2.4,\n0,20,,,2.45\n0,30,1e-4,2.3,\n0,25,,,2.41\n0,40,,,2.35\n"
    let table = try read(csv, loss: "val_loss", source: "metrics.csv")
    #expect(table.steps == [20, 25, 40])
    let rates = try #require(table.learningRates)
    #expect(rates[0] == 2e-4 && relativeError(rates[1], 1.5e-4) < 1e-12 && rates[2].isNaN, "\(rates)")
    let lines = #"{"step": 10, "lr": 3e-4, "loss": 2.5}"# + "\n" + #"{"step": 20, "val_loss": 2.45}"# + "\n"
      + #"{"step": 30, "lr": 1e-4, "loss": 2.3}"# + "\n"
    let jsonl = try read(lines, loss: "val_loss", source: "log.jsonl")
    let rate = try #require(jsonl.learningRates?.first)
    #expect(jsonl.steps == [20] && relativeError(rate, 2e-4) < 1e-12)
  }
}
