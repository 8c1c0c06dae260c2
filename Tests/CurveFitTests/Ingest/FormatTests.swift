import CurveFitTestSupport
import Foundation
import Testing

@testable import CurveFit

@Suite struct FormatTests {
  func read(_ text: String, pattern: TextLogPattern? = nil, _ selection: ColumnSelection = .init()) throws -> LossSeries {
    try LogReader(selection: selection, pattern: pattern).read(bytes: Array(text.utf8), source: "run.log")
  }

  func fixture(_ path: String) throws -> String {
    let url = try #require(Bundle.module.url(forResource: "Fixtures/\(path)", withExtension: nil))
    return url.path
  }

  @Test func llmcMainLogSkipsEvalLines() throws {
    let series = try read("s:0 tel:11.0095\ns:0 trl:11.0116 lr:0.000001 norm:14.96\ns:1 trl:10.9586 lr:0.000002 norm:15.18\ns:1 eval:0.2437\ns:2 trl:10.8579 lr:0.000003 norm:14.49\n")
    #expect(series.origin.format == "text (llm.c main.log)")
    #expect(series.steps == [0, 1, 2])
    #expect(series.losses == [11.0116, 10.9586, 10.8579])
  }

  @Test func stepsWithThousandsSeparatorsAreWholeNumbers() throws {
    // Python's f"{step:,}": before, `step 1,000` read as step 1, and the log as 29 points with
    // "1 restart merged".
    let grouped = { (n: Int) in n < 1_000 ? "\(n)" : "\(n / 1_000)," + String(String(n % 1_000 + 1_000).dropFirst()) }
    let text = (1...30).map { "step \(grouped($0 * 100))/3,000 | loss \(4 - 0.05 * Double($0)) | lr 3e-4" }
      .joined(separator: "\n") + "\n"
    let series = try read(text)
    #expect(series.count == 30)
    #expect(series.steps == (1...30).map { 100 * Double($0) })
    #expect(series.origin.plannedSteps?.steps == 3_000)
    // Counts without separators are read as before; `epoch 1, step 2` is no thousands.
    let plain = try read((1...5).map { "epoch 1, step \($0), loss \(3 - 0.1 * Double($0))" }.joined(separator: "\n") + "\n")
    #expect(plain.steps == [1, 2, 3, 4, 5])
  }

  @Test func pytorchExamplesCountBatchesWithinEpochs() throws {
    // word_language_model: the batch counts from 1 in each epoch of 2,983; before, the loose
    // epoch/batch shape read `ms/batch 45.23` as batch 45 and the log as one point.
    var text = ""
    for epoch in 1...2 {
      for batch in stride(from: 200, through: 2_800, by: 200) {
        let loss = 6 - Double(epoch) - Double(batch) / 5_000
        text += "| epoch \(String(repeating: " ", count: 3 - String(epoch).count))\(epoch) | \(batch)/ 2983 batches | lr 20.00 | ms/batch 45.23 | loss  \(loss) | ppl  \(Foundation.exp(loss))\n"
      }
      text += "-----\n| end of epoch   \(epoch) | time: 140.50s | valid loss  5.58 | valid ppl   265.53\n-----\n"
    }
    let series = try read(text)
    #expect(series.origin.format == "text (PyTorch examples)")
    #expect(series.count == 28)
    #expect(series.steps.first == 200 && series.steps[14] == 2_983 + 200 && series.steps.last == 2_983 + 2_800)
    #expect(series.losses.first == 6 - 1 - 0.04 && series.learningRates?.first == 20)
  }

  @Test func llmcMainLogWithEvalLinesOnlyReadsThem() throws {
    let series = try read("s:0 tel:10.9830\ns:250 tel:6.3097\ns:500 tel:5.5887\ns:750 tel:4.9040\n")
    #expect(series.origin.format == "text (llm.c main.log (validation))")
    #expect(series.origin.lossColumn == "val_loss")
    #expect(series.steps == [0, 250, 500, 750] && series.losses == [10.983, 6.3097, 5.5887, 4.904])
  }

  @Test func moddedNanoGPTRecordAfterItsOwnSource() throws {
    // A record prints its training script (here 300 lines of it) before the steps, and logs a
    // loss only every 125 steps, as val_loss.
    let source = (0..<300).map { "    x\($0) = f(x, step=\($0))  # print0(f\"step:{step} val_loss:{v}\")" }
    var steps: [String] = []
    for step in 0...250 {
      steps.append(step % 125 == 0
        ? "step:\(step)/1770 val_loss:\(10 - Double(step) / 50) train_time:\(step * 300)ms step_avg:300.00ms"
        : "step:\(step)/1770 train_time:\(step * 300)ms step_avg:300.00ms")
    }
    let series = try read((["import os"] + source + ["=" + String(repeating: "=", count: 99)] + steps).joined(separator: "\n"))
    #expect(series.origin.format == "text (modded-nanogpt (validation))")
    #expect(series.origin.lossColumn == "val_loss")
    #expect(series.steps == [0, 125, 250] && series.losses == [10, 7.5, 5])
    #expect(series.origin.plannedSteps == PlannedSteps(steps: 1_770, key: "step:N/T"))
    // With a train_loss on every step, those are the losses read.
    let trained = (1...20).map { "step:\($0)/3200 train_loss:\(10 - Double($0) / 10) train_time:\($0)ms step_avg:1.00ms" }
      + ["step:10/3200 val_loss:9.5 train_time:10ms step_avg:1.00ms"]
    let train = try read(trained.joined(separator: "\n"))
    #expect(train.origin.format == "text (modded-nanogpt)")
    #expect(train.origin.lossColumn == "loss")
    #expect(train.losses.count == 20 && train.losses[9] == 9)
  }

  @Test func llmcConsole() throws {
    let series = try read("""
      +-----------------------+
      step    1/19560 | loss 11.009662 (+nanz)| norm 15.0789 (+nanz)| lr 8.57e-07 | 4230.95 ms
      step    2/19560 | loss 10.956554 (+nanz)| norm 15.2427 (+nanz)| lr 1.71e-06 | 4385.98 ms
      val loss 10.9
      step    3/19560 | loss 10.848841 (+nanz)| norm 14.7707 (+nanz)| lr 2.57e-06 | 4401.95 ms
      """)
    #expect(series.origin.format == "text (llm.c console)")
    #expect(series.losses == [11.009662, 10.956554, 10.848841])
    // "step N/T": the run's planned length as the log states it.
    #expect(series.origin.plannedSteps == PlannedSteps(steps: 19_560, key: "step N/T"))
  }

  @Test func huggingFaceTrainerConsole() throws {
    // The Trainer's stdout: a banner, progress bars, one dict repr per logging step, an eval
    // dict and the final summary (neither has a step loss); Python's nan, True and quotes.
    let series = try read("""
      ***** Running training *****
        Total optimization steps = 300
      {'loss': 3.5, 'grad_norm': 1.25, 'learning_rate': 5e-05, 'epoch': 0.1}
       10%|█         | 10/100 [00:01<00:09, 9.87it/s]
      {'loss': 3.25, 'grad_norm': nan, 'learning_rate': 4.5e-05, 'epoch': 0.2}
      {'eval_loss': 3.3, 'eval_runtime': 1.5, 'epoch': 0.2}
      {'loss': 3.0, 'grad_norm': 1.0, 'learning_rate': 4e-05, 'epoch': 0.3, 'tag': "it's", 'flag': True}
      {'train_runtime': 12.5, 'train_loss': 3.25, 'epoch': 0.3}
      """)
    #expect(series.origin.format == "text (Hugging Face Trainer console)")
    #expect(series.losses == [3.5, 3.25, 3.0])
    #expect(series.learningRates == [5e-05, 4.5e-05, 4e-05])
    #expect(series.steps.count == 3 && series.steps == series.steps.sorted())
    #expect(series.origin.notes.contains { $0.hasPrefix("the Trainer's console prints no step") })
  }

  @Test func huggingFaceTrainerConsoleWithProgressBar() throws {
    // As `2>&1 | tee` captures it: the bar rewrites itself after \r, tqdm.write clears it, writes
    // the dict and redraws it, so the first bar after a dict shows its exact step (the one
    // before can lag). logging_steps = 50 puts fewer than three dicts in the sniffed head.
    let bar = { (n: Int) in "\r \(n / 10)%|#         | \(n)/1000 [00:\(n % 60)<01:00,  2.01it/s]" }
    var text = "***** Running training *****\n  Total optimization steps = 1,000\n"
    for n in 1...150 {
      text += bar(n == 100 ? 97 : n)  // a refresh that lagged before the log
      if n % 50 == 0 {
        text += "\r" + String(repeating: " ", count: 40) + "\r{'loss': \(Double(5 - n / 50)), 'learning_rate': 5e-05, 'epoch': 0.1}\n" + bar(n)
      }
    }
    for n in 1...300 { text += "\r 50%|#####     | \(n)/2000 [00:01<00:01, 9.9it/s]" }  // an evaluation bar
    text += "\n"
    let series = try read(text)
    #expect(series.origin.format == "text (Hugging Face Trainer console)")
    #expect(series.steps == [50, 100, 150] && series.losses == [4, 3, 2])
    #expect(series.origin.plannedSteps == PlannedSteps(steps: 1_000, key: "progress bar N/T"))
    #expect(!series.origin.notes.contains { $0.hasPrefix("the Trainer's console prints no step") })
  }

  @Test func gptNeoXConsole() throws {
    // GPT-NeoX keeps Megatron's line and writes lm_loss (the Pythia runs' logs).
    let line = { (step: Int, loss: String) in
      " samples/sec: 87.383 | iteration \(step)/  143000 | elapsed time per iteration (ms): 5859.5 | learning rate: 1.500E-04 | approx flops per GPU: 110.6TFLOPS | lm_loss: \(loss) | loss scale: 65536.0 | number of skipped iterations:   0 |"
    }
    let series = try read([line(100, "9.155025E+00"), line(200, "7.5E+00"), line(300, "6.25E+00")].joined(separator: "\n"))
    #expect(series.origin.format == "text (GPT-NeoX)")
    #expect(series.steps == [100, 200, 300] && series.losses == [9.155025, 7.5, 6.25])
    #expect(series.learningRates == [1.5e-4, 1.5e-4, 1.5e-4])
    #expect(series.origin.plannedSteps == PlannedSteps(steps: 143_000, key: "iteration N/T"))
  }

  @Test func nanotronConsole() throws {
    // nanotron (the Smol Playbook's trainer): `iteration: N / T | … | lm_loss | lr | … | grad_norm`.
    let line = { (step: Int, loss: String, lr: String) in
      "12/01/2024 10:00:00 [INFO|DP=0|PP=0|TP=0|lm-head]: iteration: \(step) / 20000 | consumed_tokens: 1.57M | elapsed_time_per_iteration_ms: 1.22K | tokens_per_sec: 1.68K | global_batch_size: 768 | lm_loss: \(loss) | lr: \(lr) | model_tflops_per_gpu: 120 | grad_norm: 0.412"
    }
    let series = try read([line(10, "9.5", "1.5e-05"), line(20, "8.25", "3e-05"), line(30, "7.75", "4.5e-05")].joined(separator: "\n"))
    #expect(series.origin.format == "text (nanotron)")
    #expect(series.steps == [10, 20, 30] && series.losses == [9.5, 8.25, 7.75])
    #expect(series.learningRates == [1.5e-05, 3e-05, 4.5e-05])
    #expect(series.gradNorms == [0.412, 0.412, 0.412])
    #expect(series.origin.plannedSteps == PlannedSteps(steps: 20_000, key: "iteration N/T"))
  }

  @Test func fairseqSimpleAndJSONLogs() throws {
    // The simple format has commas in its lines: a log, not a table; validation lines write
    // `loss 6.5 |` and are skipped. The JSON format writes every value as a string.
    let simple = try read("""
      2020-01-01 00:00:00 | INFO | train_inner | epoch 001:    100 / 2000 loss=9.5, nll_loss=9.1, ppl=550.2, wps=1234, num_updates=100, lr=2.5e-05, gnorm=1.5, train_wall=10
      2020-01-01 00:00:10 | INFO | valid | epoch 001 | valid on 'valid' subset | loss 8.9 | nll_loss 8.5 | num_updates 150
      2020-01-01 00:00:20 | INFO | train_inner | epoch 001:    200 / 2000 loss=8.25, nll_loss=8.0, ppl=256, wps=1234, num_updates=200, lr=5e-05, gnorm=1.25, train_wall=10
      2020-01-01 00:00:30 | INFO | train_inner | epoch 001:    300 / 2000 loss=7.5, nll_loss=7.2, ppl=147, wps=1234, num_updates=300, lr=7.5e-05, gnorm=1.0, train_wall=10
      """)
    #expect(simple.origin.format == "text (fairseq)")
    #expect(simple.steps == [100, 200, 300] && simple.losses == [9.5, 8.25, 7.5])
    #expect(simple.learningRates == [2.5e-05, 5e-05, 7.5e-05] && simple.gradNorms == [1.5, 1.25, 1.0])
    let json = try read("""
      {"epoch": 1, "update": 0.05, "loss": "9.5", "nll_loss": "9.1", "num_updates": "100", "lr": "2.5e-05", "gnorm": "1.5"}
      {"epoch": 1, "update": 0.1, "loss": "8.25", "nll_loss": "8.0", "num_updates": "200", "lr": "5e-05", "gnorm": "1.25"}
      """)
    #expect(json.origin.stepColumn == "num_updates")
    #expect(json.steps == [100, 200] && json.losses == [9.5, 8.25])
    #expect(json.learningRates == [2.5e-05, 5e-05] && json.gradNorms == [1.5, 1.25])
  }

  @Test func litGPTLines() throws {
    // `iter` counts micro-batches, `step` the optimiser's steps: the step is the one read.
    let series = try read((1...3).map { step in
      "Epoch 1 | iter \(4 * step) step \(step) | loss train: \(10 - step).250, val: n/a | iter time: 512.34 ms (step) remaining time: 0:10:00"
    }.joined(separator: "\n"))
    #expect(series.origin.format == "text (LitGPT)")
    #expect(series.steps == [1, 2, 3] && series.losses == [9.25, 8.25, 7.25])
  }

  @Test func mlxLMLines() throws {
    // mlx-lm's banner, its validation lines (skipped) and train lines with and without the rate.
    let series = try read("""
      Loading pretrained model
      Trainable parameters: 0.071% (5.243M/7241.732M)
      Starting training..., iters: 30
      Iter 1: Val loss 2.900, Val took 10.214s
      Iter 10: Train loss 2.318, Learning Rate 1.000e-05, It/sec 1.081, Tokens/sec 431.2, Trained Tokens 4000, Peak mem 15.2 GB
      Iter 20: Train loss 1.875, Learning Rate 5.000e-06, It/sec 1.080, Tokens/sec 430.9, Trained Tokens 8000, Peak mem 15.2 GB
      Iter 20: Val loss 1.950, Val took 10.020s
      Iter 20: Saved adapter weights to adapters/adapters.safetensors and adapters/0000020_adapters.safetensors.
      Iter 30: Train loss 1.625, It/sec 0.540, Tokens/sec 216.3
      """)
    #expect(series.origin.format == "text (mlx-lm)")
    #expect(series.steps == [10, 20, 30] && series.losses == [2.318, 1.875, 1.625])
    let rates = try #require(series.learningRates)
    #expect(rates[0] == 1e-5 && rates[1] == 5e-6 && rates[2].isNaN)
  }

  @Test func mmEngineIterationAndEpochLines() throws {
    // `base_lr:` is not the rate, `lr:` is; the planned length is `Iter(train) [N/T]`'s T.
    let iterations = try read((1...3).map { k in
      "2023/05/01 10:00:0\(k) - mmengine - INFO - Iter(train) [  \(50 * k)/90000]  base_lr: 2.0000e-02 lr: \(k).0000e-02  eta: 1:00:00  time: 0.5000  data_time: 0.0100  memory: 3000  grad_norm: \(k).5000  loss: \(3 - k).5000  loss_cls: 0.5000"
    }.joined(separator: "\n"))
    #expect(iterations.origin.format == "text (MMEngine)")
    #expect(iterations.steps == [50, 100, 150] && iterations.losses == [2.5, 1.5, 0.5])
    #expect(iterations.learningRates == [0.01, 0.02, 0.03] && iterations.gradNorms == [1.5, 2.5, 3.5])
    #expect(iterations.origin.plannedSteps == PlannedSteps(steps: 90_000, key: "Iter(train) [N/T]"))
    // By epoch, the iteration restarts at 1 in each: epoch 2's 50th of 400 is the run's 450th.
    let epochs = try read([(1, 50, "2.5"), (1, 400, "2.0"), (2, 50, "1.75"), (2, 400, "1.5")].map { epoch, i, loss in
      "2023/05/01 10:00:00 - mmengine - INFO - Epoch(train)  [\(epoch)][\(i)/400]  lr: 2.0000e-02  eta: 1:00:00  time: 0.5000  loss: \(loss)  loss_bbox: 0.3000"
    }.joined(separator: "\n"))
    #expect(epochs.origin.format == "text (MMEngine (epochs))")
    #expect(epochs.steps == [50, 400, 450, 800] && epochs.losses == [2.5, 2.0, 1.75, 1.5])
  }

  @Test func metricLoggerOfTorchvisionDETRAndDeiT() throws {
    // Epochs and iterations count from 0; `Test:` lines and each epoch's totals are not training.
    let lines = (0...1).flatMap { epoch in
      [0, 100, 200].map { i in
        "Epoch: [\(epoch)]  [\(String(repeating: " ", count: 4 - String(i).count))\(i)/300]  eta: 0:01:00  lr: 0.100000  "
          + "img/s: 512.3  loss: \(4 - epoch).\(i / 100)000 (4.0000)  acc1: 1.0 (1.0)  time: 0.4 data: 0.0  max mem: 9861"
      } + [
        "Epoch: [\(epoch)] Total time: 0:02:00", "Test:  [  0/196]  eta: 0:00:10  loss: 9.0000 (9.0000)  acc1: 1.0 (1.0)",
        "Averaged stats: lr: 0.100000  loss: 3.5000 (3.5000)",
      ]
    }
    let series = try read(lines.joined(separator: "\n"))
    #expect(series.origin.format == "text (MetricLogger)")
    #expect(series.steps == [0, 100, 200, 300, 400, 500], "\(series.steps)")
    #expect(series.losses == [4.0, 4.1, 4.2, 3.0, 3.1, 3.2])
    #expect(series.learningRates == Array(repeating: 0.1, count: 6))
    #expect(series.origin.notes.contains { $0.contains("median of its last 20") })
  }

  @Test func espnetBatchRanges() throws {
    // Batch ranges counted from 1 in each epoch, with no count of the epoch's batches: counted on
    // from the longest epoch logged (200 batches, every 100 logged, plus half an interval: 250).
    var lines = ["[host] 2023-10-27 13:29:13,321 (trainer:298) INFO: 1/30epoch started"]
    for epoch in 1...2 {
      for (from, to) in [(1, 100), (101, 200)] {
        let loss = "\(5 - epoch).\(to / 100)"
        let head = "[host] 2023-10-27 13:37:46,484 (trainer:753) INFO: \(epoch)epoch:train:\(from)-\(to)batch: "
        let body = "iter_time=1.9e-04, forward_time=0.040, loss_ctc=174.5, loss_att=145.1, acc=0.235, loss=\(loss), "
        let tail = "backward_time=0.049, grad_norm=15.5, clip=100.000, loss_scale=1.000, optim_step_time=0.015, optim0_lr0=1.0e-05"
        lines.append(head + body + tail)
      }
      lines.append("[host] 2023-10-27 13:47:00,000 (trainer:338) INFO: \(epoch)epoch results: [train] loss=9.9, [valid] loss=9.8")
    }
    let series = try read(lines.joined(separator: "\n"))
    #expect(series.origin.format == "text (ESPnet)")
    #expect(series.steps == [100, 200, 350, 450], "\(series.steps)")
    #expect(series.losses == [4.1, 4.2, 3.1, 3.2])
    #expect(series.learningRates == Array(repeating: 1e-5, count: 4) && series.gradNorms == Array(repeating: 15.5, count: 4))
  }

  @Test func diffusersAndKohyaStepBars() throws {
    // One bar over the whole run: its count is the step, its total the planned length; tqdm sorts
    // the postfix, so diffusers' `lr` comes before `step_loss`.
    let diffusers = "12/01/2024 10:00:00 - INFO - __main__ - ***** Running training *****\n"
      + (1...4).map { "Steps:  \($0)%|▏         | \($0)/400 [00:0\($0)<04:30,  3.30it/s, lr=0.0001, step_loss=0.\(5 - $0)]" }.joined(separator: "\r")
    let series = try read(diffusers)
    #expect(series.origin.format == "text (progress bar (steps))")
    #expect(series.steps == [1, 2, 3, 4] && series.losses == [0.4, 0.3, 0.2, 0.1])
    #expect(series.learningRates == [1e-4, 1e-4, 1e-4, 1e-4])
    #expect(series.origin.plannedSteps == PlannedSteps(steps: 400, key: "Steps: N/T"))
    let kohya = "running training\n"
      + (1...4).map { "steps:  \($0)%|▏         | \($0)/400 [00:0\($0)<04:30,  1.33it/s, avr_loss=0.0\(9 - $0)]" }.joined(separator: "\r")
    let running = try read(kohya)
    #expect(running.losses == [0.08, 0.07, 0.06, 0.05])
    #expect(running.origin.notes.contains { $0.contains("avr_loss is a running mean") })
    // As the scripts draw it: `update(1)` redraws the new count with the step before's loss, then
    // `set_postfix` redraws it with this step's. A loss equal to the step before's is kept.
    let redrawn = "***** Running training *****\n" + [(1, "0.5"), (1, "0.4"), (2, "0.4"), (2, "0.4"), (3, "0.4"), (3, "0.3")]
      .map { "Steps:  1%|▏         | \($0.0)/400 [00:01<04:30,  3.30it/s, lr=0.0001, step_loss=\($0.1)]" }
      .joined(separator: "\r")
    let kept = try read(redrawn)
    #expect(kept.steps == [1, 2, 3] && kept.losses == [0.4, 0.4, 0.3], "\(kept.steps) \(kept.losses)")
    #expect(kept.origin.duplicateSteps == 0)
  }

  @Test func handWrittenLoopsLoggingOnceAnEpoch() throws {
    // The shapes hand-written loops print, read by epoch; a validation loss before the training
    // loss is passed over, and `Epoch N/T` gives the planned length in epochs.
    let shapes = [
      "Epoch {e}, Loss: {l}", "epoch {e} loss {l}", "Epoch: {e} | Loss: {l} | Acc: 0.91",
      "[Epoch {e}] train_loss={l} val_loss=9.5", "Epoch {e} | Val Loss: 9.5 | Train Loss: {l}",
      "train epoch: {e}, loss: {l}, accuracy: 93.1",
    ]
    for shape in shapes {
      let text = "Starting training\n" + (1...4).map { e in
        shape.replacingOccurrences(of: "{e}", with: "\(e)").replacingOccurrences(of: "{l}", with: "\(5 - e).5")
      }.joined(separator: "\n")
      let series = try read(text)
      #expect(series.origin.format == "text (epoch/loss)", "\(shape)")
      #expect(series.origin.stepColumn == "epoch")
      #expect(series.steps == [1, 2, 3, 4] && series.losses == [4.5, 3.5, 2.5, 1.5], "\(shape)")
    }
    // Batches counted within each epoch are counted on across epochs; the epoch's summary line
    // (no batch) is not read beside them.
    let batches = try read("""
      Epoch [1/10], Batch [250/500], Loss: 2.5
      Epoch [1/10], Batch [500/500], Loss: 2.0
      Epoch 1 done, Loss: 2.2
      Epoch [2/10], Batch [250/500], Loss: 1.5
      Epoch [2/10], Batch [500/500], Loss: 1.25
      """)
    #expect(batches.origin.format == "text (epoch/batch/loss)")
    #expect(batches.steps == [250, 500, 750, 1_000] && batches.losses == [2.5, 2.0, 1.5, 1.25])
    let iterations = try read((1...2).flatMap { e in
      [100, 200].map { i in "Epoch: \(e), Iter: \(i)/200, Loss: \(Double(10 * e + i / 100) / 8)" }
    }.joined(separator: "\n"))
    #expect(iterations.origin.format == "text (epoch/batch/loss)")
    #expect(iterations.steps == [100, 200, 300, 400] && iterations.losses == [1.375, 1.5, 2.625, 2.75])
    // The TensorFlow tutorials log `Epoch 1 Batch 100 Loss 2.07` with no count of batches: an
    // epoch is taken as the largest batch logged and half an interval, 300 + 50, and it says so.
    let tutorial = try read((1...3).flatMap { e in
      [0, 100, 200, 300].map { b in "Epoch \(e) Batch \(b) Loss \(String(format: "%.4f", 3 - Double(e) / 2 - Double(b) / 1000))" }
        + ["Epoch \(e) Loss 2.0000", "Time taken for 1 epoch 41.2 sec"]
    }.joined(separator: "\n"))
    #expect(tutorial.origin.format == "text (epoch/batch/loss)")
    #expect(tutorial.steps == [0, 100, 200, 300, 350, 450, 550, 650, 700, 800, 900, 1_000], "\(tutorial.steps)")
    #expect(tutorial.losses.prefix(5) == [2.5, 2.4, 2.3, 2.2, 2.0])
    #expect(tutorial.origin.notes.contains { $0.contains("taken as 350 steps") }, "\(tutorial.origin.notes)")
    // SpeechBrain's train_log.txt: the rate before the training loss, a validation loss after it.
    let speechBrain = try read((1...4).map {
      "epoch: \($0), lr: \(String(format: "%.2e", 1.0 / Double($0))) - train loss: \(5 - $0).5 - valid loss: 9.9, valid CER: 12.1"
    }.joined(separator: "\n"))
    #expect(speechBrain.origin.format == "text (epoch/loss)")
    #expect(speechBrain.steps == [1, 2, 3, 4] && speechBrain.losses == [4.5, 3.5, 2.5, 1.5])
    #expect(speechBrain.learningRates == [1.0, 0.5, 0.333, 0.25].map { Double(String(format: "%.2e", $0))! })
    let planned = try read((1...3).map { "Epoch [\($0)/30], Loss: 0.\(9 - $0)" }.joined(separator: "\n"))
    #expect(planned.origin.plannedSteps == PlannedSteps(steps: 30, key: "epoch N/T"))
    // A line per epoch with only a validation loss is not read as training.
    #expect(throws: IngestError.self) { try read((1...4).map { "Epoch \($0): val loss 0.\(9 - $0)" }.joined(separator: "\n")) }
  }

  @Test func llamaFactoryAndMsSwiftJSONLines() throws {
    // LLaMA-Factory's trainer_log.jsonl counts steps in `current_steps` beside `total_steps`;
    // ms-swift's logging.jsonl writes both as one string, "N/M".
    let factory = try read((1...3).map {
      #"{"current_steps": \#($0 * 10), "total_steps": 300, "loss": \#(4 - $0).5, "lr": 1e-05, "epoch": 0.1, "percentage": \#($0).0}"#
    }.joined(separator: "\n"))
    #expect(factory.steps == [10, 20, 30] && factory.losses == [3.5, 2.5, 1.5])
    #expect(factory.origin.plannedSteps == PlannedSteps(steps: 300, key: "total_steps"))
    let swift = try read((1...3).map {
      #"{"loss": \#(4 - $0).5, "grad_norm": 0.5, "learning_rate": 1e-05, "epoch": 0.1, "global_step/max_steps": "\#($0 * 5)/600", "percentage": "1.00%"}"#
    }.joined(separator: "\n"))
    #expect(swift.steps == [5, 10, 15] && swift.losses == [3.5, 2.5, 1.5])
    #expect(swift.origin.plannedSteps == PlannedSteps(steps: 600, key: "global_step/max_steps"))
  }

  @Test func nemoProgressBar() throws {
    let bar = (1...3).map {
      "Epoch 0: :  \($0)%|▏         | \($0)/300 [01:40<15:00, reduced_train_loss=\(4 - $0).500, global_step=\($0 - 1).00, consumed_samples=\(256 * $0).0, train_step_timing in s=0.98]"
    }.joined(separator: "\r")
    let series = try read("GPU available: True (cuda), used: True\n" + bar + "\n")
    #expect(series.origin.format == "text (progress bar)")
    #expect(series.steps == [1, 2, 3] && series.losses == [3.5, 2.5, 1.5])
  }

  @Test func lightningProgressBarCapturedToAFile() throws {
    // Every redraw is a `\r`-segment; the bar counts from 0 in each epoch; the postfix repeats the
    // loss last logged until the next logging step; validation bars carry no loss.
    func epoch(_ e: Int, _ losses: [Int: String]) -> String {
      var segments = ["Epoch \(e):   0%|          | 0/100 [00:00<?, ?it/s]"]
      var shown = "9.000"
      for n in 1...100 {
        if let loss = losses[n] { shown = loss }
        segments.append("Epoch \(e):  \(n)%|█         | \(n)/100 [00:01<00:09, 9.80it/s, v_num=0, train_loss_step=\(shown)]")
      }
      return segments.joined(separator: "\r") + "\rValidation DataLoader 0: 100%|██████████| 20/20 [00:00<00:00, 99.0it/s]"
    }
    let text = [
      "GPU available: True (cuda), used: True",
      epoch(0, [1: "4.500", 50: "3.250"]),
      epoch(1, [1: "3.250", 50: "2.750"]),
      "`Trainer.fit` stopped: `max_epochs=2` reached.",
    ].joined(separator: "\n")
    let series = try read(text)
    #expect(series.origin.format == "text (progress bar)")
    // Epoch 1's first redraw repeats 3.25: it is not a new logging step.
    #expect(series.steps == [1, 50, 150] && series.losses == [4.5, 3.25, 2.75])
    #expect(series.origin.notes.contains { $0.hasPrefix("steps are the progress bar's count") })
    // A loop's own bar per epoch, named otherwise: a bar that starts again continues the run.
    let loop = [
      (1...100).map { n in "Training: \(n)%|#   | \(n)/100 [00:01<00:09, 9.80it/s, loss=\(n < 50 ? "4.5" : "3.25")]" },
      (1...100).map { n in "Training: \(n)%|#   | \(n)/100 [00:01<00:09, 9.80it/s, loss=\(n < 50 ? "3.0" : "2.75")]" },
    ].map { $0.joined(separator: "\r") }.joined(separator: "\n")
    let looped = try read(loop)
    #expect(looped.steps == [1, 50, 101, 150] && looped.losses == [4.5, 3.25, 3.0, 2.75])
  }

  @Test func stepCountedWithinEpochsInABarDescription() throws {
    // llama-recipes sets its tqdm bar's description each step: one line of redraws per epoch,
    // the step starting again at 0. Read as it was, one point survived (step 199, the last
    // segment of the last line), each epoch overwriting the one before.
    let text = (1...3).map { epoch in
      (0..<200).map { step in
        "Training Epoch: \(epoch)/3, step \(step)/200 completed (loss: \(String(format: "%.8f", 1 + 2 / Double(200 * (epoch - 1) + step + 1)))):  \(step / 2)%|#   | \(step + 1)/200 [00:10<00:30,  1.20it/s]"
      }.joined(separator: "\r")
    }.joined(separator: "\n")
    let series = try read(text)
    #expect(series.origin.format == "text (step/loss)")
    #expect(series.count == 600)
    #expect(series.steps.first == 0 && series.steps.last == 599)
    #expect(abs(series.losses[450] - (1 + 2 / 451.0)) < 1e-5)
    // A global step beside its planned total keeps rising across epochs: left as it is.
    let global = try read((1...6).map { k in "epoch \(k / 3) step \(100 * k)/600 loss \(3 - 0.1 * Double(k))" }.joined(separator: "\n"))
    #expect(global.steps == [100, 200, 300, 400, 500, 600])
  }

  @Test func pytorchTutorialLoopsAndDeepSpeedSteps() throws {
    // `Epoch [e/E], Step [s/S], Loss: x` was read as a CSV header and failed on its second line.
    let tutorial = try read([(1, 100, "2.5"), (1, 600, "2.0"), (2, 100, "1.75"), (2, 600, "1.5")].map { e, s, loss in
      "Epoch [\(e)/5], Step [\(s)/600], Loss: \(loss)"
    }.joined(separator: "\n"))
    #expect(tutorial.origin.format == "text (step/loss)")
    #expect(tutorial.steps == [100, 600, 700, 1200] && tutorial.losses == [2.5, 2.0, 1.75, 1.5])
    let deepSpeed = try read((1...3).map { k in
      "[Rank 0] step=\(10 * k), skipped=0, lr=[0.0001]\nsteps: \(10 * k) loss: \(4 - k).5000 iter time (s): 0.500 samples/sec: 64.000"
    }.joined(separator: "\n"))
    #expect(deepSpeed.steps == [10, 20, 30] && deepSpeed.losses == [3.5, 2.5, 1.5])
  }

  @Test func mnistExampleTimmAndMinGPTLines() throws {
    // The MNIST example counts samples within each epoch (from 0, epochs from 1); timm counts
    // batches (epochs from 0) and logs the batch loss, then the running mean in parentheses.
    let mnist = try read([(1, 0, "2.30"), (1, 59520, "0.50"), (2, 0, "0.45"), (2, 59520, "0.30")].map { e, n, loss in
      "Train Epoch: \(e) [\(n)/60000 (\(n / 600)%)]\tLoss: \(loss)"
    }.joined(separator: "\n") + "\n\nTest set: Average loss: 0.1000, Accuracy: 9800/10000 (98%)\n")
    #expect(mnist.origin.format == "text (epoch [N/P])")
    #expect(mnist.steps == [0, 59520, 60000, 119_520] && mnist.losses == [2.3, 0.5, 0.45, 0.3])
    let timm = try read([(0, 0, "6.9"), (0, 1200, "6.1"), (1, 0, "5.9"), (1, 1200, "5.5")].map { e, n, loss in
      "Train: \(e) [\(n)/1251 ( 0%)]  Loss: \(loss) (6.92)  Time: 0.330s,  775.21/s  (0.345s,  742.12/s)  LR: 1.000e-03  Data: 0.012 (0.015)"
    }.joined(separator: "\n"))
    #expect(timm.steps == [0, 1200, 1251, 2451] && timm.losses == [6.9, 6.1, 5.9, 5.5])
    #expect(timm.learningRates == [1e-3, 1e-3, 1e-3, 1e-3])
    let minGPT = try read((1...3).map { k in "iter_dt 12.34ms; iter \(100 * k): train loss \(k).25000" }.joined(separator: "\n"))
    #expect(minGPT.steps == [100, 200, 300] && minGPT.losses == [1.25, 2.25, 3.25])
  }

  @Test func detectron2Console() throws {
    let series = try read((1...3).map { k in
      "[04/15 10:21:3\(k) d2.utils.events]:  eta: 0:07:44  iter: \(20 * k - 1)  total_loss: \(4 - k).5  loss_cls: 0.7264  loss_box_reg: 0.6387    time: 0.4725  last_time: 0.4700  data_time: 0.0203   lr: \(k)e-04  max_mem: 2693M"
    }.joined(separator: "\n"))
    #expect(series.origin.format == "text (Detectron2)")
    #expect(series.steps == [19, 39, 59] && series.losses == [3.5, 2.5, 1.5])
    #expect(series.learningRates == [1e-4, 2e-4, 3e-4])
  }

  @Test func paddleLossBeforeItsStep() throws {
    let series = try read((1...3).map { k in
      "[2023-05-01 12:00:00,000] [    INFO] - loss: \(4 - k).50000000, learning_rate: \(k)e-05, global_step: \(10 * k), interval_runtime: 1.2, epoch: 0.01"
    }.joined(separator: "\n"))
    #expect(series.origin.format == "text (loss, then global step)")
    #expect(series.steps == [10, 20, 30] && series.losses == [3.5, 2.5, 1.5])
    #expect(series.learningRates == [1e-5, 2e-5, 3e-5])
  }

  @Test func kerasReadsEachEpochsLastLine() throws {
    // The bar's loss is the epoch's running mean: only the epoch's last line is read, at the
    // step that ends the epoch; `Epoch E/T` gives the planned length in steps.
    let verbose1 = try read((1...3).map { e in
      "Epoch \(e)/10\n 300/1875 [====>.........] - ETA: 3s - loss: 9.9000 - accuracy: 0.5\n"
        + "1875/1875 [==============================] - 5s 2ms/step - loss: \(4 - e).2500 - accuracy: 0.9 - val_loss: 0.1000"
    }.joined(separator: "\n"))
    #expect(verbose1.origin.format == "text (Keras)")
    #expect(verbose1.steps == [1875, 3750, 5625] && verbose1.losses == [3.25, 2.25, 1.25])
    #expect(verbose1.origin.plannedSteps?.steps == 18_750)
    // `evaluate()` after training draws a bar of its own, announced by no epoch: not a step.
    let evaluated = try read(
      "Epoch 1/2\n1875/1875 - 5s - loss: 2.5000\nEpoch 2/2\n1875/1875 - 5s - loss: 2.2500\n"
        + "313/313 [==============================] - 1s 2ms/step - loss: 0.0700 - accuracy: 0.98\n")
    #expect(evaluated.steps == [1875, 3750] && evaluated.losses == [2.5, 2.25])
    // Keras 3 captured from a terminal: colour escapes, a bar of `━`, redraws after `\r`.
    let keras3 = try read((1...3).map { e in
      "Epoch \(e)/3\n" + [100, 1875].map { n in
        "\r\u{1B}[1m\(n)/1875\u{1B}[0m \u{1B}[32m━━━━━━━━━━\u{1B}[0m \u{1B}[1m3s\u{1B}[0m 2ms/step - accuracy: 0.8 - loss: \(n == 1875 ? 4 - e : 9).5000"
      }.joined()
    }.joined(separator: "\n"))
    #expect(keras3.steps == [1875, 3750, 5625] && keras3.losses == [3.5, 2.5, 1.5])
  }

  @Test func rayTuneProgressIsReadByItsIteration() throws {
    let series = try read("loss,time_this_iter_s,done,training_iteration,trial_id\n2.5,1.0,False,1,abc\n2.25,1.0,False,2,abc\n2.0,1.0,True,4,abc\n")
    #expect(series.origin.stepColumn == "training_iteration")
    #expect(series.steps == [1, 2, 4] && series.losses == [2.5, 2.25, 2.0])
  }

  @Test func numbersWithoutAHeader() throws {
    // `print(step, loss)` or `np.savetxt`: two columns are the step and the loss, one the loss
    // by row number; a note says what was assumed.
    let pairs = try read("10,2.5\n20,2.25\n30,2.0\n")
    #expect(pairs.origin.format == "numbers without a header")
    #expect(pairs.steps == [10, 20, 30] && pairs.losses == [2.5, 2.25, 2.0])
    #expect(pairs.origin.notes.contains { $0.hasPrefix("no header: the first column read as the step") })
    let spaced = try read("1 3.5 0.001\n2 3.25 0.001\n")
    #expect(spaced.steps == [1, 2] && spaced.losses == [3.5, 3.25])
    let commented = try read("# written by np.savetxt\n1 3.5\n2 3.25\n")
    #expect(commented.steps == [1, 2] && commented.losses == [3.5, 3.25])
    let single = try read("3.5\n3.25\n3.0\n")
    #expect(single.steps == [1, 2, 3] && single.losses == [3.5, 3.25, 3.0])
    // A bad cell is reported at its own line: the names curvefit gives are line 0.
    #expect {
      try read("1,5.0\n2,4.5\n3,4.2\n4,x\n")
    } throws: { error in
      guard case .badNumber(let location, _, let text) = error as? IngestError else { return false }
      return location.line == 4 && text == "x"
    }
    // A first column that does not rise is not a step: two losses side by side, or an epoch
    // beside the loss, are not guessed at.
    #expect(throws: IngestError.self) { try read("3.5,3.6\n3.25,3.3\n3.0,3.1\n") }
    #expect(throws: IngestError.self) { try read("0 3.5\n0 3.25\n1 3.0\n") }
  }

  @Test func columnsAlignedWithSpaces() throws {
    // fastai's console table: its time column is not a number and is not read.
    let fastai = try read(
      "epoch     train_loss  valid_loss  accuracy  time    \n"
        + (0..<4).map { e in "\(e)         \(3 - e).500000    0.100000    0.950000  00:10     " }.joined(separator: "\n"))
    #expect(fastai.origin.format == "text (columns aligned with spaces)")
    #expect(fastai.origin.lossColumn == "train_loss")
    #expect(fastai.losses == [3.5, 2.5, 1.5, 0.5])
    let dat = try read("step loss\n10 2.5\n20 2.25\n")
    #expect(dat.steps == [10, 20] && dat.losses == [2.5, 2.25])
    // `np.savetxt(…, header="step loss")` comments its header out; later comments are skipped.
    let saved = try read("# step loss\n1.000000000000000000e+01 2.500000000000000000e+00\n# resumed\n2.0e+01 2.25e+00\n")
    #expect(saved.steps == [10, 20] && saved.losses == [2.5, 2.25])
    // pandas printing the Trainer's log history: names with a space in them, apart by two or
    // more, and an unnamed row number before each row.
    let printed = try read(
      "    Step  Training Loss  Validation Loss\n"
        + (0..<4).map { i in "\(i)    \(50 * (i + 1))       \(3 - Double(i) * 0.25)000         \(3.5 - Double(i) * 0.25)000" }.joined(separator: "\n"))
    #expect(printed.origin.format == "text (columns aligned with spaces)")
    #expect(printed.origin.lossColumn == "Training Loss")
    #expect(printed.steps == [50, 100, 150, 200] && printed.losses == [3, 2.75, 2.5, 2.25])
    let indexed = try read("   step      loss\n0     1  2.5\n1     2  2.25\n")
    #expect(indexed.steps == [1, 2] && indexed.losses == [2.5, 2.25])
    // Two names, one with a space: as many words as cells, but the row number is not the step.
    let two = try read("    Step  Training Loss\n0    50       2.5\n1   100       2.25\n")
    #expect(two.steps == [50, 100] && two.losses == [2.5, 2.25])
    // A bad cell is reported at the file's own line.
    #expect {
      try read("step loss\n10 2.5\n20 2.25\n30 x2\n")
    } throws: { error in
      guard case .badNumber(let location, _, let text) = error as? IngestError else { return false }
      return location.line == 4 && text == "x2"
    }
  }

  @Test func progressBarBeingWrittenIsReadToItsLastRedraw() throws {
    // `watch` reads the complete lines of a log still being written. A bar writes no newline
    // until its epoch ends; each `\r` ends a redraw, and the one being written (`loss=3.2`, cut
    // mid-number) waits for the next read.
    let redraws = (1...60).map { n in
      "Epoch 0:  \(n)%|#         | \(n)/100 [00:01<00:09, 9.80it/s, v_num=0, loss=\(n < 30 ? "4.500" : n < 50 ? "3.750" : "3.250")]"
    }
    let text = "GPU available: True\n" + redraws.joined(separator: "\r") + "\rEpoch 0:  61%|#         | 61/100 [00:01<00:09, 9.80it/s, v_num=0, loss=3.2"
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("bar-being-written-\(getpid()).log").path
    try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    defer { try? FileManager.default.removeItem(atPath: path) }
    let series = try LogReader().read(completeLinesOf: path)
    #expect(series.origin.format == "text (progress bar)")
    #expect(series.steps == [1, 30, 50] && series.losses == [4.5, 3.75, 3.25])
  }

  @Test func progressBarLongerThanTheHeadIsStillRead() throws {
    // A banner, then one epoch of 2,000 redraws and no newline: 180 KB on one line, longer than
    // the 64 KiB the format is sniffed from. It was dropped as "may be cut short", leaving the
    // banner to be read as a table's header ("no loss column"; without it, "the input is empty").
    let text = "GPU available: True (cuda), used: True\n" + (1...2_000).map { n in
      "Epoch 0:  \(n / 20)%|#         | \(n)/2000 [00:01<00:09, 9.80it/s, v_num=0, loss=\(String(format: "%.6f", 3 + 100 / Double(n + 10)))]"
    }.joined(separator: "\r")
    #expect(text.utf8.count > 2 * LogReader.headBytes)
    let series = try read(text)
    #expect(series.origin.format == "text (progress bar)")
    #expect(series.steps.first == 1 && series.steps.last == 2_000)
    #expect(series.count == 2_000)
  }

  @Test func colouredAndCapitalisedStepLossLines() throws {
    // torchtitan colours its fields with ANSI escapes; torchtune writes `Step N | loss:… lr:…`.
    let titan = try read((1...3).map { step in
      "[titan] 2025-01-01 00:00:0\(step),000 - root - INFO - \u{1B}[31mstep: \(step)  \u{1B}[32mloss: \(12 - step).5000  \u{1B}[33mmemory: 41.20GiB(43.37%)  \u{1B}[34mtps: 6,012\u{1B}[39m"
    }.joined(separator: "\n"))
    #expect(titan.origin.format == "text (step/loss)")
    #expect(titan.steps == [1, 2, 3] && titan.losses == [11.5, 10.5, 9.5])
    let tune = try read((1...3).map { "Step \($0) | loss:\(4 - $0).25 lr:2e-05 tokens_per_second_per_gpu:1234.5" }.joined(separator: "\n"))
    #expect(tune.steps == [1, 2, 3] && tune.losses == [3.25, 2.25, 1.25])
    #expect(tune.learningRates == [2e-05, 2e-05, 2e-05])
  }

  @Test("torchtune's bar, epoch|global step|Loss, read by its global step across epochs, each redraw's last loss")
  func torchtuneBar() throws {
    // Two epochs of three steps, each step redrawn twice (the description set after the update);
    // the second epoch's bar starts again at 0/3 while the global step counts on.
    var segments: [String] = []
    for step in 1...6 {
      let epoch = (step - 1) / 3 + 1
      let loss = 3.0 - 0.25 * Double(step)
      let done = (step - 1) % 3 + 1
      segments.append("\(epoch)|\(step - 1)|Loss: \(loss + 0.25):  \(done * 33)%|███       | \(done)/3 [00:0\(done)<00:02,  1.00it/s]")
      segments.append("\(epoch)|\(step)|Loss: \(loss):  \(done * 33)%|███       | \(done)/3 [00:0\(done)<00:02,  1.00it/s]")
    }
    let series = try read(segments.joined(separator: "\r") + "\n")
    #expect(series.origin.format == "text (progress bar (torchtune))")
    #expect(series.steps == [0, 1, 2, 3, 4, 5, 6])
    #expect(series.losses == [3.0, 2.75, 2.5, 2.25, 2.0, 1.75, 1.5])
  }

  @Test("Orbit's controller lines (TensorFlow Model Garden) by step, the training loss and rate from the output dict; eval lines skipped")
  func orbitControllerLines() throws {
    let series = try read("""
      I1204 10:00:00.000000 139 controller.py:466] train | step:    100 | steps/sec:    1.2 | output: {'learning_rate': 0.001, 'training_loss': 3.25}
      I1204 10:01:00.000000 139 controller.py:466] train | step:    200 | steps/sec:    1.2 | output: {'learning_rate': 0.0009, 'training_loss': 2.75}
      I1204 10:01:10.000000 139 controller.py:490] eval | step:    200 | eval time:   10.0 sec | output: {'validation_loss': 2.9, 'accuracy': 0.5}
      I1204 10:02:00.000000 139 controller.py:466] train | step:    300 | steps/sec:    1.2 | output: {'learning_rate': 0.0008, 'training_loss': 2.5}
      """)
    #expect(series.origin.format == "text (Orbit)")
    #expect(series.steps == [100, 200, 300] && series.losses == [3.25, 2.75, 2.5])
    #expect(series.learningRates == [0.001, 0.0009, 0.0008])
  }

  @Test("a step that closes a longer key (global_step, train_step) and a loop's bracketed [N/T] count are read; a timestep is not a step")
  func stepUnderLongerKeysAndBracketedCounts() throws {
    let keyed = try read((1...3).map { "train_step=\($0 * 10) train_loss=\(4 - Double($0) * 0.5) lr=0.001" }.joined(separator: "\n"))
    #expect(keyed.origin.format == "text (step/loss)")
    #expect(keyed.steps == [10, 20, 30] && keyed.losses == [3.5, 3, 2.5])
    let global = try read((1...3).map { "global_step: \($0 * 10), loss: \(4 - Double($0) * 0.5)" }.joined(separator: "\n"))
    #expect(global.steps == [10, 20, 30] && global.losses == [3.5, 3, 2.5])
    let bracketed = try read((1...3).map { "[  \($0 * 10)/1000] train/loss: \(4 - Double($0) * 0.5), lr: 0.001" }.joined(separator: "\n"))
    #expect(bracketed.origin.format == "text ([N/T] loss)")
    #expect(bracketed.steps == [10, 20, 30] && bracketed.losses == [3.5, 3, 2.5])
    #expect(bracketed.origin.plannedSteps?.steps == 1_000)
    // A diffusion model's noise timestep is not the training step.
    #expect(throws: IngestError.self) {
      try read((1...3).map { "timestep: \($0 * 100) loss: \(4 - Double($0) * 0.5)" }.joined(separator: "\n"))
    }
  }

  @Test func openNMTSteps() throws {
    // `xent` is the loss; validation lines (`Validation perplexity: …`) are skipped.
    let series = try read("""
      [2021-03-21 00:28:51,294 INFO] Loading ParallelCorpus(toy-ende/src-train.txt, toy-ende/tgt-train.txt, align=None)...
      [2021-03-21 00:29:15,279 INFO] Step 50/ 1000; acc:   3.91; ppl: 147677.56; xent: 11.90; lr: 1.00000; 2954/2927 tok/s;     24 sec
      [2021-03-21 00:29:41,072 INFO] Step 100/ 1000; acc:   4.28; ppl: 21049.63; xent: 9.95; lr: 0.50000; 2906/2886 tok/s;     50 sec
      [2021-03-21 00:29:50,000 INFO] Validation perplexity: 9000.1
      [2021-03-21 00:30:05,000 INFO] Step 150/ 1000; acc:   5.01; ppl: 8000.00; xent: 8.99; lr: 0.25000; 2906/2886 tok/s;     75 sec
      """)
    #expect(series.origin.format == "text (OpenNMT)")
    #expect(series.steps == [50, 100, 150] && series.losses == [11.9, 9.95, 8.99])
    #expect(series.learningRates == [1, 0.5, 0.25])
    #expect(series.origin.plannedSteps == PlannedSteps(steps: 1_000, key: "Step N/T"))
  }

  @Test func marianUpdates() throws {
    let series = try read("""
      [2019-03-25 14:00:00] Training started
      [2019-03-25 14:51:54] Ep. 1 : Up. 1000 : Sen. 1,269,755 : Cost 7.95987511 : Time 785.53s : 17289.59 words/s : L.r. 1.2500e-05
      [2019-03-25 15:05:00] Ep. 1 : Up. 2000 : Sen. 2,539,510 : Cost 6.50000000 * 414,436 after 827,207 : Time 785.53s : 17289.59 words/s : L.r. 2.5000e-05
      [2019-03-25 16:37:33] [valid] Ep. 1 : Up. 2000 : ce-mean-words : 5.21277 : new best
      [2019-03-25 16:50:00] Ep. 2 : Up. 3000 : Sen. 614 : Cost 5.25000000 : Time 600.0s : 688.74 words/s
      """)
    #expect(series.origin.format == "text (Marian)")
    #expect(series.steps == [1_000, 2_000, 3_000] && series.losses == [7.95987511, 6.5, 5.25])
    let rates = try #require(series.learningRates)
    #expect(rates[0] == 1.25e-5 && rates[1] == 2.5e-5 && rates[2].isNaN)
  }

  @Test func iterationCountedLoops() throws {
    // Hand-written loops count iterations: `[rank0]: iter N | loss X | lr …`, `Iteration N, loss = X`.
    let ddp = try read((1...3).map { "[rank0]: iter \($0 * 10) | loss \(4 - $0).5 | lr 3.00e-04 | 123.4 ms/iter" }.joined(separator: "\n"))
    #expect(ddp.origin.format == "text (iteration/loss)")
    #expect(ddp.steps == [10, 20, 30] && ddp.losses == [3.5, 2.5, 1.5] && ddp.learningRates == [3e-4, 3e-4, 3e-4])
    let caffe = try read((1...3).map { "Iteration \($0 * 100), loss = 0.\(9 - $0)" }.joined(separator: "\n"))
    #expect(caffe.steps == [100, 200, 300] && caffe.losses == [0.8, 0.7, 0.6])
  }

  @Test func nanochatStepLinesCarryThePlanAndTheRateMultiplier() throws {
    // nanochat: `step N/T (p%) | loss: … | lrm: …`; its `Step N | Validation bpb` lines hold no loss.
    let chat = try read("""
      Step 00000 | Validation bpb: 3.3012
      step 00000/00400 (0.00%) | loss: 11.090355 | grad norm: 1.2 | lrm: 1.00 | dt: 400.12ms | tok/sec: 1,234 | mfu: 45.67 | total time: 0.00m
      step 00001/00400 (0.25%) | loss: 10.500000 | grad norm: 1.1 | lrm: 1.00 | dt: 400.10ms | tok/sec: 1,234 | mfu: 45.67 | total time: 0.01m
      step 00002/00400 (0.50%) | loss: 9.750000 | grad norm: 1.0 | lrm: 0.95 | dt: 400.11ms | tok/sec: 1,234 | mfu: 45.67 | total time: 0.01m
      """)
    #expect(chat.steps == [0, 1, 2] && chat.losses == [11.090355, 10.5, 9.75])
    #expect(chat.learningRates == [1, 1, 0.95])
    #expect(chat.origin.plannedSteps == PlannedSteps(steps: 400, key: "step N/T"))
    // A count that starts again (a loop's `Step [i/P]` per epoch) is no plan.
    let loop = try read(["Step [50/100], Loss: 2.5", "Step [100/100], Loss: 2.0", "Step [50/100], Loss: 1.5"].joined(separator: "\n"))
    #expect(loop.origin.plannedSteps == nil)
  }

  @Test func composerAndOLMoBlocks() throws {
    // A block per logging step: the header carries the step and the run's length, indented
    // lines the metrics; an eval block ends the one before and adds no row.
    let composer = try read("""
      [batch=1/4800]:
      \t Train time/batch: 0
      \t Train loss/train/total: 12.5
      \t Train lr-DecoupledAdamW/group0: 0.0001
      \t Train l2_norm/grad/global: 2.5
      [batch=2/4800]:
      \t Train time/batch: 1
      \t Train loss/train/total: 11.25
      \t Train lr-DecoupledAdamW/group0: 0.0002
      \t Train l2_norm/grad/global: 2.25
      [eval]:
      \t Eval metrics/eval/LanguageCrossEntropy: 3.1
      [batch=3/4800]:
      \t Train time/batch: 2
      \t Train loss/train/total: 10.5
      \t Train lr-DecoupledAdamW/group0: 0.0003
      \t Train l2_norm/grad/global: 2.0
      """)
    #expect(composer.origin.format == "text (Composer)")
    #expect(composer.origin.lossColumn == "Train loss/train/total")
    #expect(composer.steps == [1, 2, 3] && composer.losses == [12.5, 11.25, 10.5])
    #expect(composer.learningRates == [0.0001, 0.0002, 0.0003] && composer.gradNorms == [2.5, 2.25, 2.0])
    #expect(composer.origin.plannedSteps == PlannedSteps(steps: 4_800, key: "batch=N/T"))
    let olmo = try read((1...3).map { step in
      "2024-02-10 00:00:0\(step)\tnode-0:0\tolmo.train:816\tINFO\t[step=\(step)/739328]\n    train/CrossEntropyLoss=\(10 - step).5\n    optim/learning_rate_group0=4e-05"
    }.joined(separator: "\n"))
    #expect(olmo.origin.format == "text (OLMo)")
    #expect(olmo.steps == [1, 2, 3] && olmo.losses == [9.5, 8.5, 7.5])
    #expect(olmo.learningRates == [4e-05, 4e-05, 4e-05])
    #expect(olmo.origin.plannedSteps == PlannedSteps(steps: 739_328, key: "step=N/T"))
  }

  @Test func buildNanoGPTIgnoresValAndHellaSwag() throws {
    let series = try read("0 val 10.9522\n0 hella 0.2487\n0 train 10.955010\n1 train 10.871\n2 train 10.7\n")
    #expect(series.origin.format == "text (build-nanogpt)")
    #expect(series.steps == [0, 1, 2] && series.losses == [10.955010, 10.871, 10.7])
    #expect(series.origin.plannedSteps == nil)
  }

  @Test func customPatternWithNamedGroups() throws {
    let pattern = try TextLogPattern(name: "--pattern", regex: #"epoch=\d+ it=(?<step>\d+) L=(?<loss>[0-9.]+)"#)
    let series = try read("epoch=0 it=10 L=3.5\nnoise\nepoch=0 it=20 L=3.25\n", pattern: pattern)
    #expect(series.steps == [10, 20] && series.losses == [3.5, 3.25])
  }

  @Test func patternWithoutGroupsIsRejected() {
    #expect(throws: IngestError.self) { try TextLogPattern(name: "--pattern", regex: "(\\d+) (\\d+)") }
  }

  @Test func realNanoGPTConsoleLog() throws {
    // nanoGPT stdout (MIT; Fixtures/nanogpt-stdout/SOURCE.md): 2,547 "iter N: loss X" lines,
    // "step N: train loss …, val loss …" evaluation lines, and a traceback at the end.
    let series = try LogReader().read(path: try fixture("nanogpt-stdout/output.log"))
    #expect(series.origin.format == "text (nanoGPT)")
    #expect(series.count == 2_547)
    #expect(series.losses.first == 10.9766 && series.losses.last == 3.5074)
    let analysis = try LossCurveAnalysis.run(series, options: .init())
    #expect(analysis.fit.model.lMin.isFinite)
  }

  @Test func realMegatronLogSkipsIterationsWithoutLoss() throws {
    let bloom = try LogReader().read(path: try fixture("megatron/tr11-176B-bloom_iter31214-31251.log"))
    #expect(bloom.origin.format == "text (Megatron-LM)")
    #expect(bloom.steps.first == 31_214)
    #expect(bloom.losses.first == 2.198845)
    #expect(bloom.origin.plannedSteps == PlannedSteps(steps: 115_311, key: "iteration N/T"))
    // The diverged excerpt logs iteration 9027 with no lm loss field (skipped, SOURCE.md).
    let diverged = try LogReader().read(path: try fixture("megatron/tr8-104B_exp12_iter9026-9027_diverged.log"))
    #expect(diverged.steps == [9_026] && diverged.losses == [7.02458])
  }

  @Test func realTrainerStateSkipsTheFinalSummary() throws {
    // whisper-large-v2-ja trainer_state.json: 206 log_history entries, 200 with a step loss; the
    // eval entries and the final summary ("train_loss" averaged over the run) have none.
    let series = try LogReader().read(path: try fixture("hf-trainer-whisper-ja/trainer_state.json"))
    #expect(series.origin.format == "json (trainer_state)")
    #expect(series.origin.stepColumn == "step" && series.origin.lossColumn == "loss")
    #expect(series.count == 200)
    #expect(series.steps.first == 25 && series.losses.first == 0.3048)
    #expect(series.steps.last == 5_000)
    // Its top-level "max_steps": 5000, the run's planned length.
    #expect(series.origin.plannedSteps == PlannedSteps(steps: 5_000, key: "max_steps"))
    let eval = try LogReader(selection: ColumnSelection(lossColumn: "eval_loss"))
      .read(path: try fixture("hf-trainer-whisper-ja/trainer_state.json"))
    #expect(eval.count > 0 && eval.count < 20)
  }

  @Test func unitConversionsMatchWorkedExamples() {
    // L = 2.0 nats, 4 bytes/token → PPL 7.39, 2.885 bits per token, 0.721 bits per byte.
    #expect(abs(LossUnit.perplexity.fromNats(2) - 7.389) < 0.001)
    #expect(abs(LossUnit.bits.fromNats(2) - 2.885) < 0.001)
    #expect(abs(LossUnit.bitsPerByte(bytesPerToken: 4).fromNats(2) - 0.721) < 0.001)
    // PPL 10 vs 12 → 0.182 nats = 0.263 bits.
    let nats = LossUnit.perplexity.toNats(12) - LossUnit.perplexity.toNats(10)
    #expect(abs(nats - 0.182) < 0.001)
    #expect(abs(LossUnit.bits.fromNats(nats) - 0.263) < 0.001)
    #expect(abs(LossUnit.bits.toNats(LossUnit.bits.fromNats(1.7)) - 1.7) < 1e-12)
  }

  @Test func unitsNeedTheirRatio() {
    #expect(LossUnit.named("bpb", bytesPerToken: nil, charactersPerToken: nil) == .failure(.needs("bpb", "--bytes-per-token")))
    #expect(LossUnit.named("bits", bytesPerToken: nil, charactersPerToken: nil) == .success(.bits))
  }
}
