import CurveFitTestSupport
import Foundation
import Testing

@testable import CurveFit

@Suite struct LogReaderTests {
  func read(_ text: String, _ selection: ColumnSelection = ColumnSelection()) throws -> LossSeries {
    try LogReader(selection: selection).read(bytes: Array(text.utf8), source: "log.csv")
  }

  @Test func csvWithExtraColumns() throws {
    let series = try read("step,lr,loss\n1,0.1,4.5\n2,0.1,4.0\n3,0.1,3.75\n")
    #expect(series.steps == [1, 2, 3])
    #expect(series.losses == [4.5, 4.0, 3.75])
    #expect(series.origin.format == "csv")
    #expect(series.origin.stepColumn == "step")
  }

  @Test func oneMetricExportReadsItsValue() throws {
    // `step,value,timestamp` as a one-metric export writes it; before, "no loss column". A
    // `value` beside another metric says nothing of which is the loss.
    let series = try read("step,value,timestamp\n10,4.5,1700000000\n20,4.0,1700000060\n30,3.75,1700000120\n")
    #expect(series.steps == [10, 20, 30] && series.losses == [4.5, 4.0, 3.75])
    #expect(throws: IngestError.self) { try read("step,value,accuracy\n10,4.5,0.1\n20,4.0,0.2\n") }
  }

  @Test("a rate logged under another trainer's name is the lr column; a setting named like one is not", arguments: [
    ("optimizer/lr", true), ("lr-AdamW/pg2", true), ("train/lr_0", true), ("LearningRate", true), ("lr0", true),
    ("learning_rate_group_0", true), ("min_lr", false), ("lr_scheduler_type", false), ("config/lr", false), ("clr", false),
  ])
  func learningRateUnderOtherNames(name: String, read asRate: Bool) throws {
    let series = try read("step,loss,\(name)\n1,4.5,0.25\n2,4.0,0.5\n3,3.75,0.5\n")
    #expect(series.origin.learningRateColumn == (asRate ? name : nil))
    #expect(series.learningRates == (asRate ? [0.25, 0.5, 0.5] : nil))
  }

  @Test("a loss split into terms is read by its total, whichever column the header lists first", arguments: [
    ("copper_loss,air_loss,epoch,port1_loss,mean_loss,step", "mean_loss"),
    ("recon_loss,kl_loss,loss_total", "loss_total"),
    ("box_loss,cls_loss", "box_loss"),
    // One loss and its running mean: the mean lags, the loss itself is read.
    ("step,batch_loss,avg_loss", "batch_loss"),
  ])
  func summedLossWins(header: String, expected: String) throws {
    let names = header.split(separator: ",").map(String.init)
    let rows = (1...3).map { step in
      names.map { $0 == "step" || $0 == "epoch" ? "\(step)" : $0 == expected ? "\(5 - step)" : "0.\(step)" }.joined(separator: ",")
    }
    let series = try read(([header] + rows).joined(separator: "\n") + "\n")
    #expect(series.origin.lossColumn == expected)
    #expect(series.losses == [4, 3, 2])
    // Terms with no total beside them: the report says the loss read is one of them.
    let termsNote = series.origin.notes.first { $0.contains("loss terms") }
    #expect((termsNote != nil) == (expected == "box_loss"))
    if let termsNote { #expect(termsNote.hasPrefix("box_loss is one of 2 loss terms") && termsNote.contains("(also cls_loss)")) }
  }

  @Test func aRowPerEpochIsReadByEpoch() throws {
    // Keras's CSVLogger: no step, the epoch from 0.
    let keras = try read("epoch,accuracy,loss,val_accuracy,val_loss\n0,0.5,2.2,0.5,2.15\n1,0.6,1.8,0.58,1.85\n2,0.7,1.5,0.64,1.7\n")
    #expect(keras.steps == [0, 1, 2])
    #expect(keras.losses == [2.2, 1.8, 1.5])
    #expect(keras.origin.stepColumn == "epoch")
    #expect(keras.origin.axis == .epochs)
    // A step beside the epoch is the step.
    #expect(try read("epoch,step,loss\n0.1,10,2.2\n0.2,20,1.8\n").origin.stepColumn == "step")
    // An epoch that repeats (a row per batch) would merge each epoch's rows: the rows count.
    let batches = try read("epoch,loss\n0,3.0\n0,2.9\n1,2.7\n1,2.6\n")
    #expect(batches.steps == [1, 2, 3, 4])
    #expect(batches.losses == [3.0, 2.9, 2.7, 2.6])
    #expect(batches.origin.stepColumn == nil)
    #expect(batches.origin.notes == ["the epoch column repeats from row to row: steps are the rows in order"])
  }

  @Test func aKerasHistoryIsReadByIndex() throws {
    // `json.dump(history.history, f)`: one line, no newline at the end; and pretty-printed.
    let history = #"{"loss": [2.2, 1.8, 1.5, NaN], "accuracy": [0.5, 0.6, 0.7, 0.7], "val_loss": [2.1, 1.9, null, 1.8]}"#
    for text in [history, "{\n  \"loss\": [2.2, 1.8, 1.5, NaN],\n  \"val_loss\": [2.1, 1.9, null, 1.8]\n}\n"] {
      let series = try read(text)
      #expect(series.origin.format == "json (lists by column)")
      #expect(series.steps == [1, 2, 3, 4])
      #expect(Array(series.losses.prefix(3)) == [2.2, 1.8, 1.5])
      #expect(series.losses[3].isNaN)
      #expect(series.origin.lossColumn == "loss")
    }
    let validation = try read(history, ColumnSelection(lossColumn: "val_loss"))
    #expect(validation.losses.count == 4 && validation.losses[2].isNaN && validation.losses[3] == 1.8)
    // pandas' default `df.to_json()`: each column an object keyed by row number, a text column left out.
    let frame = try read(#"{"step":{"0":10,"1":20,"10":110,"2":30},"loss":{"0":2.5,"1":2.25,"10":1.5,"2":2.0},"run":{"0":"a","1":"a","10":"a","2":"a"}}"#)
    #expect(frame.steps == [10, 20, 30, 110])
    #expect(frame.losses == [2.5, 2.25, 2.0, 1.5])
    #expect(frame.origin.stepColumn == "step")
  }

  @Test func aTrainerStateWithOnlyItsSummaryNamesWhy() throws {
    // A LoRA run of 768 steps with logging_steps 996: log_history holds the closing summary
    // alone. Before, its train_loss (the run's mean) was read as one point: "too short to judge".
    let state = #"{"global_step": 768, "log_history": [{"epoch": 3.0, "step": 768, "total_flos": 2.1e18, "train_loss": 0.9732, "train_runtime": 5980.7}], "logging_steps": 996, "max_steps": 768}"#
    #expect {
      try read(state)
    } throws: { error in
      let text = (error as? IngestError)?.description ?? ""
      return text.contains("only the run's closing summary (train_loss 0.9732, the mean over its 768 steps)")
        && text.contains("logging_steps 996 is longer than the run")
    }
    // Asked for by name, the mean is read as the one point it is.
    #expect(try read(state, ColumnSelection(lossColumn: "train_loss")).losses == [0.9732])
  }

  @Test func sacredMetricsAreReadByStep() throws {
    // Sacred's FileStorageObserver: metrics.json, each metric its steps, values and timestamps,
    // pretty-printed; and written on one line. The evaluation loss is logged at fewer steps.
    let metrics = #"{"training.loss": {"steps": [0, 10, 20, 30], "timestamps": ["t", "t", "t", "t"], "values": [2.5, 2.25, 2.0, NaN]}, "val_loss": {"steps": [10, 30], "timestamps": ["t", "t"], "values": [2.4, 2.1]}}"#
    let pretty = metrics.replacingOccurrences(of: "{\"training", with: "{\n  \"training").replacingOccurrences(of: "}, \"val", with: "},\n  \"val")
    for text in [metrics, pretty] {
      let series = try read(text)
      #expect(series.origin.format == "json (metrics by name)")
      #expect(series.origin.lossColumn == "training.loss" && series.origin.stepColumn == "step")
      #expect(series.steps == [0, 10, 20, 30] && Array(series.losses.prefix(3)) == [2.5, 2.25, 2.0] && series.losses[3].isNaN)
    }
    let validation = try read(metrics, ColumnSelection(lossColumn: "val_loss"))
    #expect(validation.steps == [10, 30] && validation.losses == [2.4, 2.1])
  }

  @Test func anMLflowMetricFileIsReadByItsStepColumn() throws {
    // mlruns/<experiment>/<run>/metrics/loss: `timestamp value step`, no header.
    let text = "1700000000000 2.5 0\n1700000060000 2.25 10\n1700000120000 2.0 20\n"
    let series = try LogReader().read(bytes: Array(text.utf8), source: "mlruns/0/abc/metrics/train_loss")
    #expect(series.steps == [0, 10, 20])
    #expect(series.losses == [2.5, 2.25, 2.0])
    #expect(series.origin.format == "MLflow metric file")
    #expect(series.origin.lossColumn == "train_loss")
  }

  @Test func aTableOfOnlyAnEvaluationLossIsReadByIt() throws {
    let series = try read("step,val_loss,val_loss__MIN\n1,2.5,2.4\n2,2.3,2.2\n")
    #expect(series.origin.lossColumn == "val_loss")
    #expect(series.origin.notes.contains { $0.hasPrefix("no training loss in this log: reading the evaluation loss \"val_loss\"") })
    // A training loss beside it is preferred.
    #expect(try read("step,val_loss,loss\n1,2.5,2.6\n2,2.3,2.4\n").origin.lossColumn == "loss")
  }

  @Test func tsvAndCRLF() throws {
    let series = try read("iter\ttrain_loss\r\n10\t2.5\r\n20\t2.25\r\n")
    #expect(series.origin.format == "tsv")
    #expect(series.origin.lossColumn == "train_loss")
    #expect(series.steps == [10, 20] && series.losses == [2.5, 2.25])
  }

  @Test func sparseRowsAreSkipped() throws {
    let series = try read("step,loss,val_loss\n1,3.0,\n2,,2.9\n3,2.5,\n")
    #expect(series.steps == [1, 3])
    #expect(series.origin.rowsWithoutLoss == 1)
    #expect(series.origin.rowsRead == 3)
  }

  @Test func huggingFaceNotebookTableSkipsNoLog() throws {
    // The Trainer's notebook table, copied out: `No log` before the first logged training loss.
    let series = try read("Epoch\tTraining Loss\tValidation Loss\n1\tNo log\t0.512\n2\t0.4213\t0.45\n3\t0.3510\t0.44\n")
    #expect(series.steps == [2, 3] && series.losses == [0.4213, 0.3510])
    #expect(series.origin.rowsWithoutLoss == 1)
    // Any other word in the loss column is still an error naming it.
    #expect(throws: IngestError.self) { try read("step,loss\n1,No loss\n2,0.5\n") }
  }

  @Test func nonFiniteLossesAreKept() throws {
    let series = try read("step,loss\n1,3.0\n2,nan\n3,inf\n4,-Infinity\n")
    #expect(series.count == 4)
    #expect(series.losses[1].isNaN && series.losses[2] == .infinity && series.losses[3] == -.infinity)
    #expect(series.nonFiniteCount == 3)
  }

  @Test func jsonLinesWithNullsAndAbsentKeys() throws {
    let text = """
      {"step": 1, "loss": 3.5, "tag": "a,b"}
      {"step": 2, "val_loss": 3.4}
      {"step": 3, "loss": null}
      {"step": 4, "loss": NaN, "nested": {"x": [1, {"y": 2}]}}
      {"step": 5, "loss": "2.5"}
      """
    let series = try read(text)
    #expect(series.origin.format == "jsonl")
    #expect(series.steps == [1, 3, 4, 5])
    #expect(series.losses[0] == 3.5 && series.losses[1].isNaN && series.losses[2].isNaN)
    #expect(series.losses[3] == 2.5)
    #expect(series.origin.rowsWithoutLoss == 1)
  }

  @Test func nestedJSONKeysByDottedPath() throws {
    let text = "{\"step\": 10, \"train\": {\"loss\": 2.1}}\n{\"step\": 20, \"train\": {\"loss\": 2.0}}\n"
    let series = try read(text, ColumnSelection(lossColumn: "train.loss"))
    #expect(series.losses == [2.1, 2.0])
  }

  @Test func quotedFieldsWithCommas() throws {
    let series = try read("\"note\",\"step\",\"loss\"\n\"a, b\",1,\"2.5\"\n\"c \"\"d\"\"\",2,2.25\n")
    #expect(series.steps == [1, 2] && series.losses == [2.5, 2.25])
  }

  @Test func explicitColumnsAndAliases() throws {
    let text = "global_step,loss,eval_loss\n5,1.5,9\n6,1.25,9\n"
    #expect(try read(text).origin.stepColumn == "global_step")
    let chosen = try read(text, ColumnSelection(lossColumn: "eval_loss"))
    #expect(chosen.losses == [9, 9])
  }

  @Test func noStepColumnUsesRowNumbers() throws {
    let series = try read("loss\n3\n2.5\n2.25\n")
    #expect(series.steps == [1, 2, 3])
    #expect(series.origin.stepColumn == nil)
  }

  @Test func restartsKeepTheLatestLoss() throws {
    let series = try read("step,loss\n1,5\n2,4\n3,3.5\n2,3.9\n3,3.4\n4,3.1\n")
    #expect(series.steps == [1, 2, 3, 4])
    #expect(series.losses == [5, 3.9, 3.4, 3.1])
    #expect(series.origin.restarts == 1)
  }

  @Test func rowsOfOneStepInARowAreAveraged() throws {
    // Four micro-batches a step (gradient accumulation), or four ranks each printing its loss:
    // the step's loss is their mean. Before, the last of each was kept and three of four unsaid.
    let series = try read("step,loss,lr\n1,5,1\n1,4,1\n1,4.5,1\n1,4.5,1\n2,3,2\n2,3.5,2\n2,4,2\n2,3.5,2\n")
    #expect(series.steps == [1, 2])
    #expect(series.losses == [4.5, 3.5])
    #expect(series.learningRates == [1, 2])
    #expect(series.origin.rowsAveraged == 6 && series.origin.restarts == 0)
    #expect(ReportContent.sourceLine(series).hasSuffix("repeated steps averaged (6 rows folded in)"))
    // A rewind is still a restart whose later losses win, averaged rows or not.
    let resumed = try read("step,loss\n1,5\n2,4\n2,4.2\n3,3.5\n2,3.9\n3,3.4\n")
    #expect(resumed.losses == [5, 3.9, 3.4] && resumed.origin.restarts == 1 && resumed.origin.rowsAveraged == 1)
  }

  @Test func aStepColumnFormattedWithThousandsSeparators() throws {
    // A spreadsheet's formatted column, quoted where it holds a comma. Before: "column 'step'
    // has '1,000', expected a number".
    let series = try read("step,loss\n500,3.5\n\"1,000\",3.25\n\"12,500\",3\n\"1,250,000\",2.5\n")
    #expect(series.steps == [500, 1_000, 12_500, 1_250_000] && series.losses == [3.5, 3.25, 3, 2.5])
    #expect(throws: IngestError.self) { try read("step,loss\n1,3\n\"1,00\",2.5\n") }
  }

  @Test func scientificAndLongNumbers() throws {
    let series = try read("step,loss\n1e3,2.198845E+00\n2000,3.14159265358979323846264\n3000,1e400\n")
    #expect(series.steps == [1000, 2000, 3000])
    #expect(series.losses[0] == 2.198845)
    #expect(series.losses[1] == 3.141592653589793)
    #expect(series.losses[2] == .infinity)
  }

  @Test func largeInputAcrossManyBlocks() throws {
    let log = SyntheticLog(
      truth: PowerLaw(lMin: 2, c: 8, alpha: 0.35), count: 60_000, noise: 0.01, seed: 2)
    let series = try read(log.csv)
    #expect(series.count == 60_000)
    #expect(series.losses == log.losses)
  }

  // MARK: - Bad input: one line naming file and line

  struct BadInput: CustomTestStringConvertible, Sendable {
    let id: String
    let text: String
    let message: String
    var testDescription: String { id }
  }

  static let badInputs = [
    BadInput(id: "empty file", text: "", message: "log.csv: the input is empty, expected a header row or JSON lines"),
    BadInput(id: "blank lines only", text: "\n  \n", message: "log.csv: the input is empty, expected a header row or JSON lines"),
    BadInput(id: "header only", text: "step,loss\n", message: "log.csv: only a header row, expected data rows below it"),
    BadInput(id: "missing loss column", text: "step,acc,lr\n1,0.5,0.1\n", message: "log.csv: no loss column; columns are step, acc, lr (choose one with --loss-col)"),
    BadInput(
      id: "long table of metrics", text: "key,value,step,timestamp\ntrain_loss,2.5,1,1700000000\nlearning_rate,0.0003,1,1700000000\n",
      message: "log.csv: no loss column; columns are key, value, step, timestamp: a long table of metrics (one row per metric "
        + "and step, the metric named in 'key', its value in 'value'), which curvefit reads (from a file or standard "
        + "input) when it has a step column; else give it one column per metric, as in 'step,train_loss,learning_rate'"),
    BadInput(id: "non-numeric cell", text: "step,loss\n1,2.5\n2,abc\n", message: "log.csv:3: column 'loss' has 'abc', expected a number"),
    BadInput(id: "non-numeric step", text: "step,loss\n1,2.5\nx2,2.4\n", message: "log.csv:3: column 'step' has 'x2', expected a number"),
    BadInput(id: "short row", text: "step,lr,loss\n1,0.1,2.5\n2\n", message: "log.csv:3: 1 fields, expected at least 3 as in the header"),
    BadInput(id: "truncated JSON", text: "{\"step\": 1, \"loss\": 2.5}\n{\"step\": 2, \"loss\": 2.", message: "log.csv:2: invalid JSON: the line ends inside an object"),
    BadInput(id: "binary", text: "\u{0}\u{1}\u{2}garbage", message: "log.csv: looks like binary data, expected a CSV, TSV or JSON-lines text log"),
    BadInput(id: "infinite step", text: "step,loss\ninf,2.5\n", message: "log.csv:2: column 'step' has 'inf', expected a finite step"),
    BadInput(
      id: "banner of a log without losses", text: "GPU available: True (cuda), used: True\nTPU available: False\nEpoch 0: 100%|x| 10/10 [00:01<00:00]\n",
      message: "log.csv: not a format curvefit recognises (no header row naming a loss column, no known console-log layout); "
        + "name the step and loss with --pattern '(?<step>…)…(?<loss>…)'"),
    BadInput(
      id: "banner without commas", text: "Starting training\nit went well\n",
      message: "log.csv: not a format curvefit recognises (no header row naming a loss column, no known console-log layout); "
        + "name the step and loss with --pattern '(?<step>…)…(?<loss>…)'"),
    BadInput(
      id: "a JSON document that is not a log", text: "{\n  \"name\": \"open_lm_1b\",\n  \"hyperparameters\": {\"lr\": 0.003, \"warmup\": 5000},\n  \"results\": [{\"loss\": 2.9}]\n}\n",
      message: "log.csv:1: a JSON object without log_history (its keys: name, hyperparameters, results), not a training log: "
        + "expected a trainer_state.json, an array of records, an object of lists of numbers (Keras's history) or JSON lines (one record per line)"),
    BadInput(id: "deep JSON", text: String(repeating: "{\"a\":", count: 100) + "1" + String(repeating: "}", count: 100) + "\n", message: "log.csv:1: invalid JSON: nested deeper than 64 levels"),
  ]

  @Test(arguments: badInputs)
  func badInputNamesFileAndLine(_ bad: BadInput) {
    do {
      let series = try read(bad.text)
      Issue.record("expected an error, got \(series.count) points")
    } catch {
      #expect("\(error)" == bad.message)
    }
  }

  @Test func unknownExplicitColumn() {
    #expect(throws: IngestError.noSuchColumn(source: "log.csv", flag: "--loss-col", name: "nope", columns: ["step", "loss"])) {
      try read("step,loss\n1,2\n", ColumnSelection(lossColumn: "nope"))
    }
  }

  @Test func overlongLineIsBoundedError() throws {
    let huge = [UInt8](repeating: UInt8(ascii: "1"), count: 20 << 20)
    let bytes = Array("step,loss\n".utf8) + huge
    #expect(throws: IngestError.self) {
      try LogReader().read(bytes: bytes, source: "big.csv")
    }
  }
}
