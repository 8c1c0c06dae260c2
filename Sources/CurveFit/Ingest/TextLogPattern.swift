import Foundation

/// The line shapes of common trainers' console logs, each a regular expression with named
/// groups `step` and `loss`, and optionally `lr` and `grad` (`--pattern` supplies one of the
/// user's own).
///
/// Lines that match nothing (banners, eval lines, tracebacks) are skipped: `eval:` and `hella`
/// lines in llm.c and build-nanogpt logs are accuracies and validation losses, not step losses,
/// and no pattern here matches them.
public struct TextLogPattern: Sendable {
  public let name: String
  private(set) var expression: NSRegularExpression

  public init(name: String, regex: String) throws(IngestError) {
    try self.init(name: name, regex: regex, stepsFrom: nil)
  }

  /// A pattern whose lines hold a loss and no step when `stepsFrom` is given: each loss is
  /// logged at the step of the last line `stepsFrom` matched (0 before the first).
  init(name: String, regex: String, stepsFrom: String?) throws(IngestError) {
    self.name = name
    do {
      expression = try NSRegularExpression(pattern: regex)
      stepLines = try stepsFrom.map { try NSRegularExpression(pattern: $0) }
    } catch {
      throw .cannotOpen(source: "--pattern", reason: "not a valid regular expression: \(regex)")
    }
    // Asked of every matched line: read once here, not from the expression's pattern each time.
    capturesRate = regex.contains("(?<lr>")
    capturesGrad = regex.contains("(?<grad>")
    capturesTotal = regex.contains("(?<total>")
    // An epoch without the count of steps in it (ESPnet) is counted on from the longest logged.
    countsWithinEpochs = regex.contains("(?<per>") || regex.contains("(?<epoch>")
    readsEverySegment = name.hasPrefix("progress bar")
    carriesEpoch = name == "Keras"
    // Keras's epochs are added by the reader from their own lines; a first epoch of 1 keeps its
    // steps from being counted on across epochs a second time.
    firstEpoch = readsEverySegment || name == "MetricLogger" ? 0 : name.hasPrefix("MMEngine") || name == "PyTorch examples" || carriesEpoch ? 1 : nil
    stepsByOrder = name == "loss lines"
    guard regex.contains("(?<step>") || stepsFrom?.contains("(?<step>") == true || stepsByOrder, regex.contains("(?<loss>") else {
      throw .cannotOpen(source: "--pattern", reason: "needs named groups (?<step>…) and (?<loss>…)")
    }
  }

  /// This pattern with expressions of its own: one expression matched from two threads at once
  /// clones its ICU matcher for every line of the second (1.6 times the work on two cores).
  func withOwnExpressions() -> TextLogPattern {
    var copy = self
    if let own = try? NSRegularExpression(pattern: expression.pattern, options: expression.options) { copy.expression = own }
    if let stepLines, let own = try? NSRegularExpression(pattern: stepLines.pattern, options: stepLines.options) {
      copy.stepLines = own
    }
    return copy
  }

  /// A built-in shape's expression: `N` a number, and counts that may be written with
  /// thousands separators (`step 12,000/19,560`, Python's `f"{step:,}"`): read as 12 before.
  private static func builtIn(_ regex: String) -> String {
    var regex = regex.replacingOccurrences(of: "N", with: number)
    for group in ["step", "total", "per"] {
      // A count is never followed by a fraction: `ms/batch 45.23` holds no batch 45.
      regex = regex.replacingOccurrences(
        of: "(?<\(group)>\\d+)", with: "(?<\(group)>\\d{1,3}(?:,\\d{3})+(?!\\d|\\.\\d)|\\d+(?!\\d|\\.\\d))")
    }
    return regex
  }

  /// A count as matched: `12,000` is 12000.
  static func count(_ text: Substring) -> Double? {
    text.contains(",") ? Double(text.filter { $0 != "," }) : Double(text)
  }

  private static let number = #"[-+]?(?:\d+\.?\d*(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?|nan|NaN|inf|-inf)"#

  /// The built-in shapes, most specific first.
  public static let known: [TextLogPattern] = [
    ("llm.c main.log", #"^s:(?<step>\d+) trl:(?<loss>N)(?: lr:(?<lr>N))?(?: norm:(?<grad>N))?"#),
    ("llm.c console", #"^step\s+(?<step>\d+)/(?<total>\d+)\s*\|\s*(?:train )?loss (?<loss>N)(?:.*?\|\s*norm\s+(?<grad>N))?(?:.*?\|\s*lr\s+(?<lr>N))?"#),
    // nanoGPT `iter 10: loss 4.2, time …`; minGPT's `iter_dt 12.34ms; iter 10: train loss 4.2`.
    ("nanoGPT", #"(?:^|; )iter (?<step>\d+): (?:train )?loss (?<loss>N)"#),
    // Apple's mlx-lm (`mlx_lm.lora`, LoRA and full fine-tunes on a Mac): `Iter 10: Train loss 2.318,
    // Learning Rate 1.000e-05, It/sec 0.54, …` (older versions omit the rate); its `Iter 200: Val
    // loss 1.317, Val took 3.0s` lines are validation losses and are not matched.
    ("mlx-lm", #"^\s*Iter (?<step>\d+)(?:\s*\([^)]*\))?: Train loss (?<loss>N)(?:, Learning Rate (?<lr>N))?"#),
    ("build-nanogpt", #"^(?<step>\d+) train (?<loss>N)\s*$"#),
    ("Megatron-LM", #"iteration\s+(?<step>\d+)\s*/\s*(?<total>\d+)\s*\|(?:.*?\blearning rate: (?<lr>N))?.*?\blm loss: (?<loss>N)(?:.*?\bgrad norm: (?<grad>N))?"#),
    // GPT-NeoX (the Pythia runs) keeps Megatron's line and writes `lm_loss`.
    ("GPT-NeoX", #"iteration\s+(?<step>\d+)\s*/\s*(?<total>\d+)\s*\|(?:.*?\blearning rate: (?<lr>N))?.*?\blm_loss: (?<loss>N)(?:.*?\bgrad[_ ]norm: (?<grad>N))?"#),
    // nanotron (the Smol Playbook's runs): `iteration: 12 / 1000 | … | lm_loss: 2.3 | lr: 3e-4 | … | grad_norm: 0.4`.
    ("nanotron", #"\biteration:\s*(?<step>\d+)\s*/\s*(?<total>\d+)\s*\|.*?\blm_loss:\s*(?<loss>N)(?:.*?\|\s*lr:\s*(?<lr>N))?(?:.*?\bgrad_norm:\s*(?<grad>N))?"#),
    // fairseq's simple and tqdm formats: `epoch 001:  100 / 2000 loss=5.06, …, num_updates=100, lr=5e-4, gnorm=0.8`;
    // its validation and end-of-epoch lines write `loss 6.5 |` and are not matched.
    ("fairseq", #"\bepoch \d+:.*?\bloss=(?<loss>N),.*?\bnum_updates=(?<step>\d+)(?:.*?\blr=(?<lr>N))?(?:.*?\bgnorm=(?<grad>N))?"#),
    // OpenNMT-py: `[2021-03-21 00:29:15,279 INFO] Step 50/ 1000; acc: 3.91; ppl: 147677.56; xent: 11.90;
    // lr: 1.00000; 2954/2927 tok/s; 24 sec` (`xent` is the loss in nats; `ppl` its exponential).
    ("OpenNMT", #"\bStep\s+(?<step>\d+)(?:\s*/\s*(?<total>\d+))?;.*?\bxent:\s*(?<loss>N)(?:;.*?\blr:\s*(?<lr>N))?"#),
    // Marian NMT: `[2019-03-25 14:51:54] Ep. 1 : Up. 1000 : Sen. 1,269,755 : Cost 7.95987511 : Time 785.53s :
    // 17289.59 words/s : L.r. 1.2500e-05` (the cost as --cost-type sets it: ce-mean-words by default
    // since 1.9, ce-sum per sentence before); `[valid]` lines name their metric, not `Cost`, and are skipped.
    ("Marian", #"\bEp\.\s*\d+\s*:\s*Up\.\s*(?<step>\d+)\s*:.*?\bCost\s+(?<loss>N)(?:.*?\bL\.r\.\s*(?<lr>N))?"#),
    // modded-nanogpt's records: `step:10/3200 train_loss:4.21 train_time:…` (the source code and
    // nvidia-smi come first in the file).
    ("modded-nanogpt", #"^step:(?<step>\d+)/(?<total>\d+) train_loss:(?<loss>N)"#),
    // Orbit's controller (TensorFlow Model Garden: BERT, ResNet, RetinaNet, …): `train | step:
    // 100 | steps/sec: 1.2 | output: {'learning_rate': 0.001, 'training_loss': 3.27}`; its
    // `eval | step: …` lines hold validation losses and are not matched.
    ("Orbit", #"\btrain \| step:\s*(?<step>\d+) \|(?:.*?'learning_rate':\s*(?<lr>N))?.*?'(?:training_loss|total_loss|loss)':\s*(?<loss>N)"#),
    // LitGPT's pretraining and fine-tuning: `Epoch 1 | iter 400 step 100 | loss train: 3.215, val: n/a | …`
    // (iter counts micro-batches; step the optimiser's steps).
    ("LitGPT", #"\biter \d+ step (?<step>\d+)\b.*?\bloss train: (?<loss>N)"#),
    // MMEngine (MMDetection, MMPretrain, …): `Iter(train) [ 50/90000]  base_lr: … lr: 2e-02 … grad_norm: 5.0  loss: 1.23 …`,
    // or by epoch, `Epoch(train)  [3][ 50/4000] …`, whose iteration counts from 1 in each epoch.
    ("MMEngine", #"\bIter\(train\)\s*\[\s*(?<step>\d+)/(?<total>\d+)\](?:.*?\blr: (?<lr>N))?(?:.*?\bgrad_norm: (?<grad>N))?.*?\bloss: (?<loss>N)"#),
    // PyTorch's examples (word_language_model, the nn.Transformer tutorial): `| epoch   3 |   200/
    // 2983 batches | lr 20.00 | ms/batch 45.23 | loss  5.20 | ppl   181.22`; the batch counts
    // again from 1 in each epoch (epochs from 1). `| end of epoch …| valid loss …` lines are skipped.
    ("PyTorch examples", #"^\|\s*epoch\s+(?<epoch>\d+)\s*\|\s*(?<step>\d+)\s*/\s*(?<per>\d+)\s+batches\s*\|(?:\s*lr\s+(?<lr>N)\s*\|)?.*?\|\s*loss\s+(?<loss>N)"#),
    ("MMEngine (epochs)", #"\bEpoch\(train\)\s*\[(?<epoch>\d+)\]\s*\[\s*(?<step>\d+)/(?<per>\d+)\](?:.*?\blr: (?<lr>N))?(?:.*?\bgrad_norm: (?<grad>N))?.*?\bloss: (?<loss>N)"#),
    // The MetricLogger of torchvision's reference scripts, DETR, DeiT, MAE and DINO:
    // `Epoch: [3]  [ 100/5004]  eta: 1:02:03  lr: 0.1  img/s: 512.3  loss: 2.3140 (2.3562)  acc1: …`;
    // the iteration counts from 0 in each epoch and epochs from 0, so the step is E × 5004 + 100.
    // The first loss is the median of the last 20 iterations, the bracketed one the epoch's mean.
    ("MetricLogger", #"\bEpoch: \[(?<epoch>\d+)\]\s+\[\s*(?<step>\d+)/(?<per>\d+)\](?:.*?\blr: (?<lr>N))?.*?\bloss: (?<loss>N)"#),
    // ESPnet2's trainer (and FunASR's): `INFO: 3epoch:train:401-500batch: iter_time=…, loss_ctc=…,
    // loss_att=…, acc=…, loss=86.4, …, grad_norm=5.1, …, optim0_lr0=1.0e-05, …` (`lr_0=` before
    // 2021), each value a mean over that range of batches. The batch counts again from 1 in each
    // epoch and no line gives its count, so the reader counts on across epochs from the longest
    // logged (`TextLogReader.inferredEpochLength`).
    ("ESPnet", #"\b(?<epoch>\d+)epoch:train:\d+-(?<step>\d+)batch\b.*?\bloss=(?<loss>N)(?:.*?\bgrad_norm=(?<grad>N))?(?:.*?\b(?:optim0_lr0|lr_0)=(?<lr>N))?"#),
    // A tqdm progress bar with the loss in its postfix, as PyTorch Lightning draws it and many
    // hand-written loops do: `Epoch 2:  25%|██▌  | 100/400 [00:10<00:30, 9.80it/s, v_num=0, train_loss_step=3.21]`;
    // NeMo's shows `reduced_train_loss=` (the loss averaged over data-parallel ranks).
    // Captured to a file, every redraw is a `\r`-segment of one line, each read (`readsEverySegment`);
    // the bar counts from 0 in each epoch, so the step is the epochs before it times its total plus `N`.
    // A bar over the whole run, as diffusers' training scripts and kohya's sd-scripts draw it:
    // `Steps:  10%|█ | 100/1000 [00:30<04:30, 3.3it/s, lr=0.0001, step_loss=0.123]` (tqdm sorts the
    // postfix's keys, so the rate comes first); kohya shows `avr_loss`, a running mean. Its total is
    // the run's planned length.
    // torchtune's recipes describe their bar by `epoch|global step|Loss: X`:
    // `1|100|Loss: 1.2345:  33%|███▎      | 100/300 [01:40<03:20,  1.00s/it]`; the step counts on
    // across epochs, so the epoch is not read.
    ("progress bar (torchtune)", #"\b\d+\|(?<step>\d+)\|Loss: (?<loss>N)"#),
    ("progress bar (steps)", #"\b[Ss]teps:\s*\d+%\|[^|\r]*\|\s*(?<step>\d+)/(?<total>\d+) \[[^\]\r]*?(?:\blr=(?<lr>N)[^\]\r]*?)?\b(?:step_loss|avr_loss|loss)=(?<loss>N)"#),
    ("progress bar", #"(?:\bEpoch (?<epoch>\d+)\s*:)?[^|\r]*\|[^|\r]*\|\s*(?<step>\d+)/(?<per>\d+) \[[^\]\r]*?\b(?:train_loss_step|train_loss|train/loss|reduced_train_loss|loss)=(?<loss>N)"#),
    // torchtitan `step: 10  loss:  7.9`, torchtune `Step 10 | loss:1.23 lr:2e-05`, and the like;
    // with an epoch before the step and the step's count after it (llama-recipes' `Training
    // Epoch: 2/3, step 10/200 completed (loss: 1.23)`), a step that starts again each epoch is
    // counted on from the epochs before it (`TextLogReader`).
    // The PyTorch tutorials' loops write `Epoch [1/5], Step [100/600], Loss: 0.4357`, DeepSpeed's
    // pipeline engine `steps: 10 loss: 2.31 iter time (s): …`. nanochat writes `step 00100/21400 (0.47%)
    // | loss: 4.12 | grad norm: 0.5 | lrm: 1.00 | …`: `lrm` is its rate as a multiple of the peak.
    // The step may close a longer key (`global_step: 100`, `train_step=100`), not a word
    // (`timestep`).
    ("step/loss", #"(?:\b(?:epoch|Epoch|EPOCH)[\s:=]+\[?\s*(?<epoch>\d+)(?:\s*/\s*\d+)?\b.*?)?(?<![A-Za-z])(?:step|Step|STEP)s?[\s:=]+\[?\s*(?<step>\d+)(?:\s*/\s*(?<per>\d+))?\b.*?\b(?:train[_ ]|Train[_ ])?(?:loss|Loss|LOSS)[\s:=]+(?<loss>N)(?:.*?\b(?:lr|lrm|learning_rate)[\s:=]+(?<lr>N))?"#),
    // A hand-written loop's bar with the loss in its description (`pbar.set_description(f"loss:
    // {loss:.4f}")`): `Epoch 1 loss 2.3456:  10%|█   | 50/500 [00:05<00:45, 10.00it/s]`. The bar
    // counts from 1 again in each epoch; its epochs, if named, may count from 0 or 1, so they are
    // not read: a bar that starts again continues after the previous bar's total. After
    // `step/loss`: a description that names its step (llama-recipes') is read by it. AllenNLP ends
    // its description with ` ||` (`batch_loss: 2.31, loss: 2.35 ||:  10%|#  | 40/400 [...]`).
    ("progress bar (description)", #"(?<![A-Za-z_])\#(notAfterValidation)(?:train[_ ]|Train[_ ]|training[_ ]|Training[_ ])?(?:loss|Loss|LOSS)[\s:=]+(?<loss>N)[^|\r]{0,160}?(?: \|\|)?:\s+\d+%\|[^|\r]*\|\s*(?<step>\d+)/(?<per>\d+) \["#),
    // A loop's bracketed count: `[  100/1000] loss: 2.34` (`train/loss`, `train_loss`, …).
    ("[N/T] loss", #"^\s*\[\s*(?<step>\d+)\s*/\s*(?<total>\d+)\s*\].*?\b(?:train[_/ ])?(?:loss|Loss)[\s:=]+(?<loss>N)(?:.*?\b(?:lr|learning_rate)[\s:=]+(?<lr>N))?"#),
    // The PyTorch MNIST example's `Train Epoch: 1 [640/60000 (1%)]\tLoss: 2.30` (samples within
    // the epoch) and timm's `Train: 0 [ 100/1251 (  8%)]  Loss: 6.93 (6.94)  …  LR: 1.0e-03`
    // (batches): the count starts again each epoch and is counted on across them.
    ("epoch [N/P]", #"\b(?:Train Epoch|Epoch|Train):?\s*(?<epoch>\d+)\s*\[\s*(?<step>\d+)\s*/\s*(?<per>\d+)\b[^\]]*\].*?\b(?:Loss|loss)[\s:=]+(?<loss>N)(?:.*?\b(?:LR|lr)[\s:=]+(?<lr>N))?"#),
    // Darknet (YOLO v2–v4, AlexeyAB's fork): ` 100: 6.234102, 6.512301 avg loss, 0.001000 rate,
    // 3.2 seconds, 6400 images, …`: the batch's loss, then a running mean (not read).
    ("Darknet", #"^\s*(?<step>\d+): (?<loss>N), N avg loss, (?<lr>N) rate\b"#),
    // CLU's LoggingWriter (the Flax examples, Scenic): `I1204 10:00:00.1 140 logging_writer.py:48]
    // [100] train_accuracy=0.12, train_learning_rate=0.01, train_loss=6.5`, the keys sorted, so the
    // rate comes before the loss; an evaluation's `eval_loss` is not read.
    ("CLU", #"(?:^|\]\s|:)\[(?<step>\d+)\](?: collection=\S+)? (?:.*?\b(?:train_learning_rate|learning_rate|lr)=(?<lr>N))?.*?(?<![A-Za-z_/])(?:train_loss|train/loss|training_loss|loss)=(?<loss>N)"#),
    // Gradient boosting, a line per round: XGBoost's `[12]\ttrain-logloss:0.31\teval-logloss:0.35`,
    // LightGBM's `[12]\ttraining's binary_logloss: 0.31\tvalid_1's binary_logloss: 0.35`. The
    // training set's loss is read (a metric that is not a loss, as `auc`, is not).
    ("XGBoost", #"^\[(?<step>\d+)\]\t(?:train|dtrain|training)-(?:m?logloss|rmse|rmsle|mae|mape|mphe|[a-z-]*nloglik(?:@[\d.]+)?):(?<loss>N)"#),
    ("LightGBM", #"^\[(?<step>\d+)\]\t(?:training|train)'s (?:binary_logloss|multi_logloss|cross_entropy|xentropy|l2|l1|rmse|mse|mae|huber|fair|poisson|gamma|tweedie|quantile|mape):\s*(?<loss>N)"#),
    // A loop's bare bracketed step, `[100] loss: 2.31`, after the boosting libraries' `[12]\t…`
    // lines. The PyTorch CIFAR-10 tutorial prints its epoch and the batch within it, `[1,  2000]
    // loss: 2.171` (every 2,000 batches of 12,500): the batch counts again from 1 in each epoch
    // and no line gives the epoch's length, so the reader counts on from the longest logged.
    ("[E, N] loss", #"^\s*\[\s*(?<epoch>\d+)\s*,\s*(?<step>\d+)\s*\]\s*(?:train[_ ]|Train[_ ])?(?:loss|Loss)[\s:=]+(?<loss>N)"#),
    ("[N] loss", #"^\s*\[\s*(?<step>\d+)\s*\].*?(?<![A-Za-z_])\#(notAfterValidation)(?:train[_/ ]|Train[_ ])?(?:loss|Loss)[\s:=]+(?<loss>N)(?:.*?\b(?:lr|learning_rate)[\s:=]+(?<lr>N))?"#),
    // Detectron2's console (its `log.txt`): `[04/15 10:21:33 d2.utils.events]:  eta: 0:07:44  iter: 19
    // total_loss: 1.843  loss_cls: 0.7264 …  lr: 0.00039962  max_mem: 2693M`.
    ("Detectron2", #"\biter: (?<step>\d+)\s+total_loss: (?<loss>N)(?:.*?\blr: (?<lr>N))?"#),
    // PaddleNLP's trainer writes the loss before the step: `loss: 2.345, learning_rate: 1e-04,
    // global_step: 10, interval_runtime: …`.
    ("loss, then global step", #"\b(?:train_)?loss[\s:=]+(?<loss>N),?(?:.*?\b(?:learning_rate|lr)[\s:=]+(?<lr>N))?.*?\bglobal_step[\s:=]+(?<step>\d+)"#),
    // Any loss before its step: keys printed in sorted order (`epoch=0 loss=2.31 lr=3e-4 step=100`,
    // where the loose epoch shape read every line as epoch 0), `Loss 2.31 at step 100`, `loss: 2.31 |
    // step: 100`. An evaluation's loss is not read.
    ("loss, then step", #"(?<![A-Za-z_])\#(notAfterValidation)(?:train[_ ]|Train[_ ])?(?:loss|Loss|LOSS)[\s:=]+(?<loss>N),?(?:.*?\b(?:learning_rate|lr)[\s:=]+(?<lr>N))?.*?(?<![A-Za-z_])(?:step|Step|STEP|iteration|Iteration|iter|Iter)[\s:=]+(?<step>\d+)"#),
    // Ultralytics YOLO's console, a row per epoch under `Epoch GPU_mem box_loss cls_loss dfl_loss
    // Instances Size` (YOLOv5: `Epoch gpu_mem box obj cls labels img_size`): `1/100 2.05G 1.217
    // 1.434 1.271 217 640: 100%|█| 8/8 […]`. A bar's redraws show the epoch's running means; the
    // finished bar (100%) its means over the epoch. The first of the three loss terms is read.
    ("Ultralytics YOLO", #"(?:^|\r)[ \t]*(?<step>\d+)/(?<total>\d+)\s+\d+(?:\.\d+)?[KMGT]?B?\s+(?<loss>N)\s+N\s+N\s+\d+\s+\d+:\s+100%\|"#),
    // The step between the loss word and its value: `loss at step 100: 2.31`, `Loss @ iter 100 = 2.31`.
    ("loss at step", #"(?<![A-Za-z_])\#(notAfterValidation)(?:train[_ ]|Train[_ ]|training |Training )?(?:loss|Loss|LOSS) (?:at|@) (?:step|Step|STEP|iteration|Iteration|iter|Iter) (?<step>\d+)\s*[:=]\s*(?<loss>N)"#),
    // Keras's `fit` (verbose 1 or 2), each epoch announced by its own `Epoch 3/30` line:
    // `1875/1875 [======] - 5s 2ms/step - loss: 0.2903 - accuracy: 0.9155` (Keras 3: a bar of `━`).
    // The loss a bar shows is the epoch's running mean, so only the epoch's last line is read
    // (`TextLogReader`), at the step that ends the epoch.
    ("Keras", #"^\s*(?<step>\d+)/(?<per>\d+) .*?\s-\sloss: (?<loss>N)"#),
    // Logs whose only losses are validation losses, read when no step loss is logged: the
    // later modded-nanogpt records (`step:125/1770 val_loss:4.31 train_time:…`, the other
    // steps without a loss) and llm.c-style `s:N tel:X` files with no `trl` lines. A log that
    // has step losses matches its own pattern on more lines and is read by it.
    ("modded-nanogpt (validation)", #"^step:(?<step>\d+)/(?<total>\d+) val_loss:(?<loss>N)"#),
    ("llm.c main.log (validation)", #"^s:(?<step>\d+) tel:(?<loss>N)"#),
  ].compactMap { name, regex in
    try? TextLogPattern(name: name, regex: builtIn(regex))
  }

  /// Shapes so loose that they are tried only when no known shape fits: a hand-written loop's
  /// line per iteration, `[rank0]: iter 10 | loss 2.31 | lr 3e-4`, `Iteration 100, loss = 0.8`,
  /// `it=100 loss=2.3`, `Batch 100, loss 2.3`, `Update 100 | loss 2.3`, `Round 3: train loss 0.4`
  /// (mlx-lm's and nanoGPT's validation lines have this shape too, and their own patterns
  /// first), or per epoch, `Epoch 3, Loss: 0.41`, `epoch 3/30 - loss: 0.41 - val_loss: …`,
  /// `[Epoch 3] train_loss=0.41`, read by epoch. A loss after `val`, `valid`, `eval` or `test`
  /// is not the training loss and is not read; fairseq's end-of-epoch lines, among others, have
  /// the epoch shape and their own pattern first.
  /// A loss word not preceded by `val`, `valid`, `eval` or `test`, as `val loss` or `eval_loss`.
  private static let notAfterValidation =
    #"(?<!val |valid |validation |eval |test |val_|valid_|eval_|test_|Val |Valid |Validation |Eval |Test |VAL |TEST )"#

  public static let fallback: [TextLogPattern] = [
    // `Epoch [2/10], Batch [100/500], Loss: 0.41` (or `Iter`): the batch counts within the epoch, so
    // it is counted on across epochs, (epoch − first) × 500 + 100. First, as the most specific.
    ("epoch/batch/loss", #"\b(?:epoch|Epoch|EPOCH)[\s:=]*\[?\s*(?<epoch>\d+)(?:\s*/\s*\d+)?\b.*?\b(?:batch|Batch|BATCH|iter|Iter|iteration|Iteration)[\s:=]*\[?\s*(?<step>\d+)(?:\s*/\s*(?<per>\d+))?\b.*?\#(notAfterValidation)\b(?:train[_ ]|Train[_ ]|training[_ ]|Training[_ ])?(?:loss|Loss|LOSS)[\s:=]+(?<loss>N)"#),
    ("iteration/loss", #"\b(?:iter|Iter|ITER|iteration|Iteration|it|batch|Batch|BATCH|minibatch|Minibatch|update|Update|round|Round)s?[\s:=#]+\[?\s*(?<step>\d+)(?:\s*/\s*(?<per>\d+))?\b.*?\#(notAfterValidation)\b(?:train[_ ]|Train[_ ]|training[_ ]|Training[_ ])?(?:loss|Loss|LOSS)[\s:=]+(?<loss>N)(?:.*?\b(?:lr|learning_rate)[\s:=]+(?<lr>N))?"#),
    // SpeechBrain's train_log.txt puts the rate before the loss: `epoch: 3, lr: 8.0e-01 - train loss: 1.23 - valid loss: …`.
    ("epoch/loss", #"\b(?:epoch|Epoch|EPOCH)[\s:=]*\[?\s*(?<step>\d+)(?:\s*/\s*(?<total>\d+))?\b(?:.*?\b(?:lr|learning_rate)[\s:=]+(?<lr>N))?.*?\#(notAfterValidation)\b(?:train[_ ]|Train[_ ]|training[_ ]|Training[_ ])?(?:loss|Loss|LOSS)[\s:=]+(?<loss>N)"#),
    // A loop that prints its loss and nothing else (`print(f"loss: {loss.item():.4f}")`, `training
    // loss: 3.21`), perhaps after a timestamp: no line holds a step, so the losses are numbered in
    // order (`stepsByOrder`). A whole number elsewhere on the line may be a step this shape does not
    // know (`10/1000 loss: 2.3`), and the line is left to `--pattern`; a date, a time or a number
    // with a fraction is not one, nor glog's and absl's prefix (`I1204 12:00:01.123456  1234
    // train.py:88] loss: 2.3`).
    ("loss lines", #"^(?:[IWEF]\d{4} +\d{1,2}:\d{2}:\d{2}(?:\.\d+)? +\d+ +[^\]\s]+:\d+\] )?(?:[^\d\r]|(?>\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}|\d{1,2}/\d{1,2}|\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?|\d*\.\d+)(?![\d/])|rank\d+)*?(?<![A-Za-z_])\#(notAfterValidation)(?:train[_ ]|Train[_ ]|training[_ ]|Training[_ ])?(?:loss|Loss|LOSS)\s*[:=]?\s*(?<loss>N)[^\d\r]*$"#),
  ].compactMap { name, regex in
    try? TextLogPattern(name: name, regex: builtIn(regex))
  }

  /// The validation lines of a known layout, by the layout's name: read when `--metric` or
  /// `--loss-col` asks a console log for an evaluation loss (`val_loss`). Never tried on their
  /// own: each layout's training lines are what identify it.
  static let validation: [String: TextLogPattern] = Dictionary(uniqueKeysWithValues: [
    // nanoGPT's `step 250: train loss 3.1, val loss 3.2` (every eval_interval iterations).
    ("nanoGPT", "nanoGPT (validation)", #"^step (?<step>\d+): train loss N, val loss (?<loss>N)"#),
    // build-nanogpt's log.txt: `250 val 3.2648`.
    ("build-nanogpt", "build-nanogpt (validation)", #"^(?<step>\d+) val (?<loss>N)\s*$"#),
    // mlx-lm: `Iter 200: Val loss 1.317, Val took 3.0s`.
    ("mlx-lm", "mlx-lm (validation)", #"^\s*Iter (?<step>\d+): Val loss (?<loss>N)"#),
    ("modded-nanogpt", "modded-nanogpt (validation)", #"^step:(?<step>\d+)/(?<total>\d+) val_loss:(?<loss>N)"#),
    ("llm.c main.log", "llm.c main.log (validation)", #"^s:(?<step>\d+) tel:(?<loss>N)"#),
  ].compactMap { layout, name, regex in
    (try? TextLogPattern(name: name, regex: builtIn(regex))).map { (layout, $0) }
  } + [
    // llm.c's console prints `val loss 3.28` on a line of its own, after the `step 250/19560 | …`
    // line of the update before it: the loss of the model after 250 steps (its main.log writes
    // `s:250 tel:3.28`), 0 for the one before the first.
    ("llm.c console", "llm.c console (validation)", #"^val loss (?<loss>N)\s*$"#, #"^step\s+(?<step>\d+)/\d+\s*\|"#),
  ].compactMap { layout, name, regex, steps in
    (try? TextLogPattern(name: name, regex: builtIn(regex), stepsFrom: steps))
      .map { (layout, $0) }
  })

  /// The loss the lines hold: `val_loss` for the patterns that read validation losses.
  var lossName: String { name.hasSuffix("(validation)") ? "val_loss" : "loss" }

  /// Whether the expression has optional `lr` and `grad` groups.
  let capturesRate: Bool
  let capturesGrad: Bool
  /// Whether lines count iterations within an epoch (`[epoch][i/per]`, `Epoch E: … N/P`).
  let countsWithinEpochs: Bool
  /// The number of the first epoch: MMEngine counts from 1, a progress bar from 0; `nil` when
  /// the reader must tell from the whole log whether the step counts within epochs at all.
  let firstEpoch: Double?
  /// Whether the epoch comes from a line of its own before the steps (`Epoch 3/30`, Keras).
  let carriesEpoch: Bool
  /// A progress bar redraws itself after `\r`: every segment of a line is an update.
  let readsEverySegment: Bool
  /// Whether lines carry the run's planned length (`step N/T`).
  let capturesTotal: Bool
  /// The lines that set the step of the losses after them, for losses logged without one.
  private(set) var stepLines: NSRegularExpression?
  /// Whether no line holds a step, so the losses are numbered in the order they come (1, 2, …).
  let stepsByOrder: Bool

  /// One matched line: the step, the loss as written, and the optional learning rate and
  /// gradient norm (NaN when the line lacks them).
  struct Match {
    var step: Double
    var loss: String
    var learningRate = Double.nan
    var gradNorm = Double.nan
    /// The planned length the line states (`T` of `step N/T`), NaN when it states none.
    var total = Double.nan
    /// The epoch and the iterations per epoch, for lines that count within epochs.
    var epoch = Double.nan
    var perEpoch = Double.nan
  }

  /// The fields of `line` when it matches.
  /// Longest stretch of a line the expression is run on. Backtracking patterns cost up to the
  /// square of the length (a 64 KiB line of `step 1 ` took 24 s); a log record is a few hundred
  /// bytes, and tqdm's progress bars, which make such lines, rewrite themselves after `\r`.
  static let maximumMatchLength = 1_024
  /// Longest line read as a loss alone (`stepsByOrder`): a timestamp, a level and the loss.
  static let lossLineLength = 160

  func match(_ line: String) -> Match? {
    // Coloured loggers (torchtitan, rich) write escape sequences between the words.
    var line = line.utf8.contains(0x1B) ? Self.withoutEscapes(line) : line
    if WrappedNumber.mayHold(line) { line = WrappedNumber.unwrap(line) }
    guard line.utf8.count > Self.maximumMatchLength else { return matchShort(line) }
    // The last `\r`-separated segment is what the terminal showed; try each from the last,
    // each cut to the bound.
    for segment in line.split(separator: "\r", omittingEmptySubsequences: true).reversed().prefix(64) {
      let piece = String(String.UnicodeScalarView(segment.unicodeScalars.prefix(Self.maximumMatchLength)))
      if let found = matchShort(piece) { return found }
    }
    return nil
  }

  /// The line without its ANSI escape sequences (`ESC [ … letter`).
  static func withoutEscapes(_ line: String) -> String {
    var out: [UInt8] = []
    out.reserveCapacity(line.utf8.count)
    var bytes = line.utf8.makeIterator()
    while let byte = bytes.next() {
      guard byte == 0x1B else {
        out.append(byte)
        continue
      }
      // `ESC [` parameters end at the first letter; a lone ESC is dropped.
      guard let next = bytes.next(), next == UInt8(ascii: "[") else { continue }
      while let code = bytes.next(), !(code >= 0x40 && code <= 0x7E) {}
    }
    return String(decoding: out, as: UTF8.self)
  }

  /// Every `\r`-separated segment of `line` that matches, in order (each cut to the bound), and
  /// how many segments the line has.
  func matchEverySegment(_ line: String) -> (matches: [Match], segments: Int) {
    var line = line.utf8.contains(0x1B) ? Self.withoutEscapes(line) : line
    if WrappedNumber.mayHold(line) { line = WrappedNumber.unwrap(line) }
    let segments = line.split(separator: "\r", omittingEmptySubsequences: true)
    let matches = segments.compactMap { segment in
      matchShort(String(String.UnicodeScalarView(segment.unicodeScalars.prefix(Self.maximumMatchLength))))
    }
    return (matches, segments.count)
  }

  private func matchShort(_ line: String) -> Match? {
    // A line holding a loss alone is short; a long one would cost the loose shape a scan per
    // position for nothing.
    if stepsByOrder, line.utf8.count > Self.lossLineLength { return nil }
    let range = NSRange(line.startIndex..., in: line)
    if let stepLines { return matchCarried(line, range: range, stepLines: stepLines) }
    guard let found = expression.firstMatch(in: line, range: range),
      let lossRange = Range(found.range(withName: "loss"), in: line)
    else { return nil }
    if stepsByOrder { return Match(step: .nan, loss: String(line[lossRange])) }
    guard let stepRange = Range(found.range(withName: "step"), in: line), let step = Self.count(line[stepRange]) else {
      return nil
    }
    var match = Match(step: step, loss: String(line[lossRange]))
    if capturesRate, let lrRange = Range(found.range(withName: "lr"), in: line) {
      match.learningRate = Double(line[lrRange]) ?? .nan
    }
    if capturesGrad, let gradRange = Range(found.range(withName: "grad"), in: line) {
      match.gradNorm = Double(line[gradRange]) ?? .nan
    }
    if capturesTotal, let totalRange = Range(found.range(withName: "total"), in: line) {
      match.total = Self.count(line[totalRange]) ?? .nan
    }
    // Iterations counted within each epoch: the run's step is the epochs before it times their
    // length, plus the iteration. MMEngine counts epochs from 1, a progress bar from 0.
    // Without the count (`Epoch 2 Batch 100`), the epoch is kept for `TextLogReader` to count on.
    if countsWithinEpochs {
      let per = Range(found.range(withName: "per"), in: line).flatMap { Self.count(line[$0]) }
      if let per { match.perEpoch = per }
      if let epochRange = Range(found.range(withName: "epoch"), in: line), let epoch = Double(line[epochRange]) {
        match.epoch = epoch
        if let firstEpoch, let per { match.step += max(0, epoch - firstEpoch) * per }
      }
    }
    return match
  }

  /// A loss line (its step NaN, for the reader to fill in), or a step line (its loss empty).
  private func matchCarried(_ line: String, range: NSRange, stepLines: NSRegularExpression) -> Match? {
    if let found = expression.firstMatch(in: line, range: range),
      let lossRange = Range(found.range(withName: "loss"), in: line)
    {
      return Match(step: .nan, loss: String(line[lossRange]))
    }
    guard let found = stepLines.firstMatch(in: line, range: range),
      let stepRange = Range(found.range(withName: "step"), in: line),
      let step = Self.count(line[stepRange])
    else { return nil }
    return Match(step: step, loss: "")
  }

  /// The known pattern matching the most of `lines` (at least 3, or a quarter of a short
  /// excerpt), if any.
  static func detect(_ lines: [String]) -> TextLogPattern? {
    // Each distinct line is matched once, weighed by how often it occurs: a sample of 12,000
    // copies of three short lines took two seconds to be found in no layout (12 under the
    // fuzzer's sanitizer).
    var counts: [String: Int] = [:]
    var distinct: [String] = []
    for line in lines {
      if let seen = counts[line] { counts[line] = seen + 1 } else { counts[line] = 1; distinct.append(line) }
    }
    let weighed = distinct.map { ($0, counts[$0] ?? 1) }
    return detect(weighed, among: known) ?? detect(weighed, among: fallback, specificShare: 0.5)
  }

  /// The pattern matching the most lines; with `specificShare`, the first (most specific) one
  /// that matches at least that share of the best count: an epoch's summary line matches the
  /// line-per-epoch shape as well as its batches' lines do, which are the log's records.
  private static func detect(
    _ lines: [(line: String, count: Int)], among patterns: [TextLogPattern], specificShare: Double = 1
  ) -> TextLogPattern? {
    let total = lines.reduce(0) { $0 + $1.count }
    let least = min(3, max(1, total / 4))
    let counts = patterns.map { pattern in lines.reduce(0) { $0 + (pattern.match($1.line) == nil ? 0 : $1.count) } }
    guard let most = counts.max(), most >= least else { return nil }
    let first = counts.indices.first { counts[$0] >= least && Double(counts[$0]) >= specificShare * Double(most) }
    return first.map { patterns[$0] }
  }
}
