// libFuzzer harness over the ingest paths and the analysis behind them.
//
// `make fuzz` builds this with `-sanitize=fuzzer,address -DFUZZING`: main then hands control to
// libFuzzer's driver, which calls `fuzzOneInput` with mutated inputs. Built normally it only
// says how to run it.
import CurveFit

#if canImport(Glibc)
  import Glibc
#endif

/// `REPEAT n\n<line>`: the line `n` times (at most 20,000), so mutations reach long inputs and
/// long lines that a small `-max_len` could not hold.
func expand(_ bytes: [UInt8]) -> [UInt8] {
  let marker = Array("REPEAT ".utf8)
  guard bytes.starts(with: marker), let newline = bytes.firstIndex(of: 0x0A) else { return bytes }
  let count = min(20_000, Int(String(decoding: bytes[marker.count..<newline], as: UTF8.self)) ?? 0)
  let line = Array(bytes[(newline + 1)...])
  var out: [UInt8] = []
  out.reserveCapacity(min(1 << 24, line.count * max(0, count)))
  for _ in 0..<max(0, count) where out.count < 1 << 24 { out += line }
  return out
}

func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
  let bytes = expand(data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? [])
  if let series = try? LogReader().read(bytes: bytes, source: "fuzz"), series.count <= 5_000 {
    // Small logs go through the whole analysis: fits, detectors and every renderer; logs too
    // short to fit through the verdict-only report.
    var options = LossCurveAnalysis.Options()
    options.target = 2.5
    options.bootstrapResamples = 100
    do throws(FitError) {
      let analysis = try LossCurveAnalysis.run(series, options: options)
      for format in ReportFormat.allCases {
        _ = Report(analysis: analysis).rendered(as: format)
      }
    } catch {
      if let run = UnfittedRun.check(series, options: options, error: error) {
        for format in ReportFormat.allCases { _ = UnfittedReport(run: run).rendered(as: format) }
      }
    }
  }
  // Several series (run tables, W&B exports, event files, gzip): every reader behind readAll.
  if let all = try? LogReader().readAll(bytes: bytes, source: "fuzz") {
    for named in all.prefix(4) where named.series.count <= 2_000 {
      _ = LearningRateSchedule.detect(named.series)
      _ = named.series.smoothed(weight: 0.9)
    }
  }
  let columns = [
    TableColumn(key: "N", explicit: nil, aliases: ["n", "params"], flag: "--n-col", namedLike: ["param"], unlike: ["per"], scalesByName: true),
    TableColumn(key: "loss", explicit: nil, aliases: ["loss"], flag: "--loss-col", namedLike: ["loss"]),
  ]
  _ = try? TableReader(wanted: columns).read(bytes: bytes, source: "fuzz")
  return 0
}

#if FUZZING
  @_silgen_name("LLVMFuzzerRunDriver")
  func runDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
  ) -> CInt

  var argc = CommandLine.argc
  var argv = CommandLine.unsafeArgv
  exit(runDriver(&argc, &argv) { data, size in fuzzOneInput(data, size) })
#else
  print("curvefit's fuzz harness: run `make fuzz` (builds with -sanitize=fuzzer,address -DFUZZING)")
#endif
