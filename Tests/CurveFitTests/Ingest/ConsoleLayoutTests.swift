import Foundation
import Testing

@testable import CurveFit

/// Console layouts of hand-written loops and of trainers outside the language-model world: a
/// bar whose description holds the loss, Darknet, CLU's logging writer, and a loop that prints
/// its loss alone.
@Suite struct ConsoleLayoutTests {
  func read(_ text: String) throws -> LossSeries {
    try LogReader(selection: ColumnSelection(), pattern: nil).read(bytes: Array(text.utf8), source: "run.log")
  }

  /// The loss of a known curve at `step`, to four decimals as the loops print it.
  func loss(_ step: Int) -> String { String(format: "%.4f", 2 + 5 * pow(Double(step) + 10, -0.4)) }

  @Test func barWithTheLossInItsDescriptionCountsOnAcrossEpochs() throws {
    // `pbar.set_description(f"Epoch {epoch} loss {loss:.4f}")`, an epoch of 100 redraws a line.
    // Before, the epoch/loss shape read every redraw of an epoch as that epoch: 2 points.
    var text = ""
    for epoch in 0..<2 {
      let redraws = (1...100).map { n in
        "Epoch \(epoch) loss \(loss(epoch * 100 + n)): \(String(format: "%3d", n))%|█         | \(n)/100 [00:05<00:45, 10.00it/s]"
      }
      text += "\r" + redraws.joined(separator: "\r") + "\n"
    }
    let series = try read(text)
    #expect(series.origin.format == "text (progress bar (description))")
    #expect(series.steps == (1...200).map(Double.init))
    #expect(series.losses[149] == Double(loss(150)))
  }

  @Test func cifarTutorialEpochAndBatchCountOnAcrossEpochs() throws {
    // PyTorch's CIFAR-10 tutorial: `print(f'[{epoch + 1}, {i + 1:5d}] loss: {running_loss / 2000:.3f}')`
    // every 2,000 batches. Before, the comma made it a CSV whose second row was "expected a number".
    let text = (1...2).flatMap { e in
      [2_000, 4_000, 6_000].map { i in "[\(e), \(String(format: "%5d", i))] loss: \(loss((e - 1) * 7_000 + i))" }
    }.joined(separator: "\n") + "\nFinished Training\n"
    let series = try read(text)
    #expect(series.origin.format == "text ([E, N] loss)")
    // An epoch is the largest batch logged and half an interval: 6,000 + 1,000.
    #expect(series.steps == [2_000, 4_000, 6_000, 9_000, 11_000, 13_000])
    #expect(series.losses[3] == Double(loss(9_000)))
    #expect(series.origin.notes.contains { $0.contains("taken as 7,000 steps") }, "\(series.origin.notes)")
    // `print("[", epoch + 1, ",", i + 1, "] loss :", running_loss / 2000)` spaces every part.
    let spaced = try read((1...3).map { "[ 1 , \($0 * 2_000) ] loss : \(loss($0 * 2_000))" }.joined(separator: "\n"))
    #expect(spaced.origin.format == "text ([E, N] loss)" && spaced.steps == [2_000, 4_000, 6_000])
  }

  @Test func bareBracketedStepReadsTheTrainingLossNotTheValidation() throws {
    let series = try read((1...4).map { n in
      "[\(n * 100)] val loss: 9.9 | loss: \(loss(n * 100)) | lr: 0.001"
    }.joined(separator: "\n"))
    #expect(series.origin.format == "text ([N] loss)")
    #expect(series.steps == [100, 200, 300, 400] && series.losses == [100, 200, 300, 400].map { Double(loss($0))! })
    #expect(series.learningRates == [0.001, 0.001, 0.001, 0.001])
    // The boosting libraries' rounds keep their own layouts.
    let xgboost = try read((1...4).map { "[\($0)]\ttrain-logloss:0.\(9 - $0)\teval-logloss:0.9" }.joined(separator: "\n"))
    #expect(xgboost.origin.format == "text (XGBoost)")
  }

  @Test func spacyTrainingTableSumsThePipesLossesButTheEmbeddings() throws {
    // `spacy train`: the banner, a header, a rule, a row per evaluation. Before, "not a format
    // curvefit recognises".
    let text = """
      ℹ Pipeline: ['tok2vec', 'tagger', 'parser']
      ℹ Initial learn rate: 0.001
      E    #       LOSS TOK2VEC  LOSS TAGGER  LOSS PARSER  TAG_ACC  DEP_UAS  SCORE
      ---  ------  ------------  -----------  -----------  -------  -------  ------
        0       0          0.00        78.81       120.50    21.88    10.00    0.22
        0     200         63.19      3826.93      5000.00    78.28    40.00    0.58
        1     400        101.50      1500.25      3000.75    85.10    55.00    0.70
        2     600        120.00      1000.00      2500.00    88.00    60.00    0.74
      ✔ Saved pipeline to output directory
      """
    let series = try read(text)
    #expect(series.origin.format == "text (spaCy)")
    // The row at step 0 (one batch) is left out; loss is the tagger's and the parser's.
    #expect(series.steps == [200, 400, 600])
    #expect(series.losses == [3826.93 + 5000, 1500.25 + 3000.75, 3500])
    #expect(series.origin.notes.contains { $0.contains("the sum of LOSS TAGGER, LOSS PARSER (LOSS TOK2VEC, the shared embedding's, left out)") },
      "\(series.origin.notes)")
    let tagger = try LogReader(selection: ColumnSelection(lossColumn: "loss_tagger"), pattern: nil)
      .read(bytes: Array(text.utf8), source: "run.log")
    #expect(tagger.losses == [3826.93, 1500.25, 1000])
  }

  @Test func allenNLPBarReadsTheLossNotTheBatchLoss() throws {
    let text = (1...50).map { n in
      "accuracy: 0.5000, batch_loss: 9.0000, loss: \(loss(n)) ||:  \(n * 2)%|#   | \(n)/50 [00:05<00:45, 10.00it/s]"
    }.joined(separator: "\r") + "\n"
    let series = try read("\r" + text)
    #expect(series.count == 50)
    #expect(series.losses.first == Double(loss(1)) && series.losses.last == Double(loss(50)))
  }

  @Test func darknetReadsTheBatchLossNotItsRunningMean() throws {
    let text = (1...30).map { n in
      " \(n): \(loss(n)), 7.000000 avg loss, 0.001000 rate, 3.2 seconds, \(n * 64) images, 12.3 hours left"
    }.joined(separator: "\n") + "\n"
    let series = try read("yolov4\nLoading weights\n" + text)
    #expect(series.origin.format == "text (Darknet)")
    #expect(series.steps == (1...30).map(Double.init))
    #expect(series.losses[9] == Double(loss(10)) && series.learningRates?.first == 0.001)
  }

  @Test func cluLoggingWriterSkipsEvaluations() throws {
    // The keys come sorted: the rate before the loss. `eval_loss` lines are not step losses.
    var lines: [String] = []
    for step in stride(from: 100, through: 3_000, by: 100) {
      lines.append(
        "I1204 10:00:00.123456 140 logging_writer.py:48] [\(step)] train_accuracy=0.12, "
          + "train_learning_rate=0.01, train_loss=\(loss(step))")
      if step % 1_000 == 0 { lines.append("I1204 10:00:01.0 140 logging_writer.py:48] [\(step)] eval_accuracy=0.2, eval_loss=9.5") }
    }
    let series = try read(lines.joined(separator: "\n") + "\n")
    #expect(series.origin.format == "text (CLU)")
    #expect(series.steps == stride(from: 100, through: 3_000, by: 100).map(Double.init))
    #expect(series.losses.first == Double(loss(100)) && !series.losses.contains(9.5))
    #expect(series.learningRates?.last == 0.01)
  }

  @Test func boostingRoundsReadTheTrainingSetsLoss() throws {
    let xgboost = (0..<40).map { "[\($0)]\ttrain-logloss:\(loss($0))\teval-logloss:0.90000" }.joined(separator: "\n") + "\n"
    let rounds = try read(xgboost)
    #expect(rounds.origin.format == "text (XGBoost)")
    #expect(rounds.steps == (0..<40).map(Double.init) && rounds.losses[7] == Double(loss(7)))
    let lightgbm = "[LightGBM] [Info] Number of positive: 500, number of negative: 500\n"
      + (1...40).map { "[\($0)]\ttraining's binary_logloss: \(loss($0))\tvalid_1's binary_logloss: 0.9" }.joined(separator: "\n") + "\n"
    let trees = try read(lightgbm)
    #expect(trees.origin.format == "text (LightGBM)")
    #expect(trees.steps.first == 1 && trees.count == 40 && !trees.losses.contains(0.9))
    // A metric that is not a loss is not read as one.
    #expect(throws: IngestError.self) { try read((0..<40).map { "[\($0)]\ttrain-auc:0.\(50 + $0)" }.joined(separator: "\n") + "\n") }
  }

  @Test func lossAloneIsNumberedInOrder() throws {
    // lucidrains' examples print `training loss: X` every batch and a validation loss now and
    // then; before, "not a format curvefit recognises".
    var lines = ["Starting training"]
    for n in 1...60 {
      lines.append("2024-01-05 10:00:\(String(format: "%02d", n % 60)),123 INFO training loss: \(loss(n))")
      if n % 20 == 0 { lines.append("validation loss: 9.0") }
    }
    let series = try read(lines.joined(separator: "\n") + "\n")
    #expect(series.origin.format == "text (loss lines)")
    #expect(series.steps == (1...60).map(Double.init))
    #expect(series.losses[41] == Double(loss(42)) && !series.losses.contains(9))
    #expect(series.origin.notes.contains { $0.contains("numbered 1, 2, …") })
  }

  @Test func glogPrefixedLossLinesAreNumberedInOrder() throws {
    // glog's and absl's prefix (level, date, time, thread id, file:line) holds numbers that are no
    // step; before, "not a format curvefit recognises".
    let text = (1...40).map { n in
      "I1204 12:00:\(String(format: "%02d", n % 60)).123456  1234 train.py:88] loss: \(loss(n))"
    }.joined(separator: "\n") + "\n"
    let series = try read(text)
    #expect(series.origin.format == "text (loss lines)")
    #expect(series.steps == (1...40).map(Double.init) && series.losses[9] == Double(loss(10)))
  }

  @Test func theStepBetweenTheLossAndItsValue() throws {
    // `print(f"loss at step {step}: {loss:.4f}")`; its evaluation's line is not read. Before,
    // "not a format curvefit recognises".
    var lines: [String] = []
    for n in 1...30 {
      lines.append("loss at step \(n * 10): \(loss(n * 10))")
      if n % 10 == 0 { lines.append("val loss at step \(n * 10): 9.0") }
    }
    let series = try read(lines.joined(separator: "\n") + "\n")
    #expect(series.origin.format == "text (loss at step)")
    #expect(series.steps == (1...30).map { Double($0 * 10) } && series.losses[4] == Double(loss(50)) && !series.losses.contains(9))
    let at = try read((1...30).map { "Loss @ iter \($0 * 10) = \(loss($0 * 10))" }.joined(separator: "\n") + "\n")
    #expect(at.steps.last == 300 && at.losses.first == Double(loss(10)))
  }

  @Test func ultralyticsReadsEachEpochsFinishedBar() throws {
    // YOLOv8 written to a file: a header before each epoch, its bar redrawn after `\r` with the
    // running means so far, then the validation's bar and its `all` row. Before, the header was
    // read as one CSV column ("column 'Epoch    GPU_mem   box_loss …' has '1/40 …', expected a number").
    func box(_ epoch: Int) -> Double { 0.8 + 1.2 / Double(epoch + 1).squareRoot() }
    var lines: [String] = []
    for epoch in 1...40 {
      lines += ["", "      Epoch    GPU_mem   box_loss   cls_loss   dfl_loss  Instances       Size"]
      lines.append((1...8).map { batch in
        let running = String(format: "%.4f", box(epoch) + 0.05 * Double(8 - batch) / 8)
        return "     \(epoch)/40      2.05G     \(running)      1.434      1.271        217        640: "
          + "\(100 * batch / 8)%|\(String(repeating: "█", count: batch))| \(batch)/8 [00:02<00:00,  3.17it/s]"
      }.joined(separator: "\r"))
      lines.append("                 Class     Images  Instances      Box(P          R      mAP50  mAP50-95): 100%|██████████| 4/4 [00:01<00:00]")
      lines.append("                   all        128        929      0.669      0.544      0.616      0.455")
    }
    let series = try read(lines.joined(separator: "\n") + "\n")
    #expect(series.origin.format == "text (Ultralytics YOLO)" && series.origin.stepColumn == "epoch")
    #expect(series.steps == (1...40).map(Double.init))
    #expect(series.losses[9] == Double(String(format: "%.4f", box(10))))
    #expect(series.origin.plannedSteps == PlannedSteps(steps: 40, key: "Epoch N/T"))
    #expect(series.origin.notes.contains { $0.hasPrefix("each loss is an epoch's mean box loss") })
    // YOLOv5 copied from a notebook: one header, the finished bars only, epochs from 0.
    var v5 = ["     Epoch   gpu_mem       box       obj       cls    labels  img_size"]
    for epoch in 0..<30 {
      v5.append("     \(epoch)/29     3.78G   \(String(format: "%.5f", 0.05 * box(epoch + 1)))   0.06426   0.02153       203       640: 100%|██████████| 8/8 [00:04<00:00]")
    }
    let older = try read(v5.joined(separator: "\n") + "\n")
    #expect(older.steps == (0..<30).map(Double.init) && older.losses[0] == Double(String(format: "%.5f", 0.05 * box(1))))
  }

  @Test func aWholeNumberBesideTheLossIsNotNumberedAway() throws {
    // `3 loss: X` may hold a step this shape does not know: left to --pattern, not numbered.
    let text = (1...20).map { "\($0 * 50) loss: \(loss($0))" }.joined(separator: "\n") + "\n"
    #expect(throws: IngestError.self) { try read(text) }
    // Nor a count of its total: `10/1000` is no date. A first version numbered these 1, 2, ….
    let counted = (1...20).map { "\($0 * 10)/1000 loss: \(loss($0))" }.joined(separator: "\n") + "\n"
    #expect(throws: IngestError.self) { try read(counted) }
    // A date and a time before the loss are not steps.
    let dated = (1...20).map { "05/01/2024 10:00:\(String(format: "%02d", $0)) loss: \(loss($0))" }.joined(separator: "\n") + "\n"
    #expect(try read(dated).steps == (1...20).map(Double.init))
  }

  @Test("a loss printed before its step is read by the step", arguments: [
    "epoch=0 loss=%@ lr=0.0003 step=%d", "Loss %@ at step %d", "loss: %@ | step: %d | lr: 3e-4",
  ])
  func lossBeforeItsStep(format: String) throws {
    // Keys in sorted order put the loss before the step; before, `epoch=0 loss=… step=N` was read
    // by the loose epoch shape as 300 losses of epoch 0, and the others were not recognised.
    let text = (1...30).map { n in
      format.replacingOccurrences(of: "%@", with: loss(n * 10)).replacingOccurrences(of: "%d", with: "\(n * 10)")
    }.joined(separator: "\n") + "\n"
    let series = try read(text)
    #expect(series.origin.format == "text (loss, then step)")
    #expect(series.steps == (1...30).map { Double($0 * 10) } && series.losses[4] == Double(loss(50)))
  }

  @Test("a loop's counter under another name is its step", arguments: [
    "it=%d loss=%@", "Batch %d, loss %@", "Update %d | loss %@", "Round %d: train loss %@", "Minibatch %d: loss = %@",
  ])
  func counterUnderAnotherName(format: String) throws {
    // Before, "not a format curvefit recognises", and `Batch 10, loss 3.5` an error about a CSV column.
    let text = (1...30).map { String(format: format, $0 * 10, loss($0 * 10)) }.joined(separator: "\n") + "\n"
    let series = try read(text)
    #expect(series.origin.format == "text (iteration/loss)")
    #expect(series.steps == (1...30).map { Double($0 * 10) } && series.losses[2] == Double(loss(30)))
  }
}
