import CurveFit
import CurveFitTestSupport
import Foundation

#if canImport(FoundationXML)
  import FoundationXML
#endif
import Testing

@Suite(.serialized) struct ScalingCommandTests {
  /// Runs of L(N,D) = 1.69 + 406.4/N^0.34 + 410.7/D^0.28 on a small grid, written as CSV.
  func csv(noise: Double = 0) -> String {
    var random = SeededRandom(seed: 9)
    var text = "params,tokens,final_loss\n"
    for i in 0..<6 {
      for j in 0..<6 {
        let n = 1e8 * pow(10, Double(i) / 2.5)
        let d = 2e9 * pow(10, Double(j) / 2.5)
        let loss = (1.69 + 406.4 / pow(n, 0.34) + 410.7 / pow(d, 0.28)) * (1 + noise * random.gaussian())
        text += "\(n),\(d),\(loss)\n"
      }
    }
    return text
  }

  @Test func jsonCarriesTheContractKeys() throws {
    let result = try CommandRunner.run(
      ["scaling", "--format", "json", "--bootstrap", "50", "--compute", "1e24", "--predict", "7e10,1.4e12"],
      stdin: csv())
    #expect(result.status == 0, "\(result.stderr)")
    let report = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    let fit = try #require(report["fit"] as? [String: Any])
    #expect(fit["model"] as? String == "E + A/N^alpha + B/D^beta")
    #expect(fit["loss"] as? String == "huber")
    #expect(fit["delta"] as? Double == 0.001)
    #expect(relativeError(try #require(fit["E"] as? Double), 1.69) < 0.05)
    #expect(relativeError(try #require(fit["alpha"] as? Double), 0.34) < 0.05)
    let ci95 = try #require(fit["ci95"] as? [String: Any])
    #expect((ci95["beta"] as? [Double])?.count == 2)
    let doubling = try #require(report["doubling"] as? [String: Any])
    #expect(doubling["data_loss_change"] is Double && doubling["params_loss_change"] is Double)
    let optimal = try #require(report["compute_optimal"] as? [[String: Any]])
    #expect(optimal.first?["compute"] as? Double == 1e24)
    #expect(optimal.first?["tokens_per_param"] is Double)
    let predictions = try #require(report["predictions"] as? [[String: Any]])
    let predicted = try #require(predictions.first?["loss"] as? Double)
    let truth = 1.69 + 406.4 / pow(7e10, 0.34) + 410.7 / pow(1.4e12, 0.28)
    #expect(relativeError(predicted, truth) < 0.01)
  }

  @Test func textReportAndMissingColumn() throws {
    let text = try CommandRunner.run(["scaling", "--bootstrap", "20"], stdin: csv(noise: 0.005))
    #expect(text.status == 0)
    #expect(text.stdout.contains("L = E + A/N^alpha + B/D^beta"))
    #expect(text.stdout.contains("tokens per param"))
    let bad = try CommandRunner.run(["scaling"], stdin: "params,acc\n1e9,0.5\n")
    #expect(bad.status == 1)
    #expect(bad.stderr == "curvefit: <stdin>: no loss column; columns are params, acc (choose one with --loss-col)\n")
  }

  @Test("a JSON array of run records is a table of runs; a hostile or malformed one is a one-line error")
  func jsonArrayOfRuns() throws {
    let records = csv().split(separator: "\n").dropFirst().map { line in
      let cells = line.split(separator: ",")
      return "{\"params\": \(cells[0]), \"tokens\": \(cells[1]), \"final_loss\": \(cells[2]), \"config\": {\"name\": \"a\"}}"
    }
    let array = "[\n  " + records.joined(separator: ",\n  ") + "\n]\n"
    try expectSameFit(array, as: csv())
    let deep = try CommandRunner.run(["scaling"], stdin: String(repeating: "[", count: 100_000))
    #expect(deep.status == 1)
    #expect(deep.stderr == "curvefit: <stdin>:1: invalid JSON: nested deeper than 64 levels\n")
    let numbers = try CommandRunner.run(["scaling"], stdin: "[1, 2, 3]\n")
    #expect(numbers.stderr == "curvefit: <stdin>:1: invalid JSON: element 1 of the array is not an object, expected one record per run\n")
  }

  @Test("sizes written by hand (125M, 1.3B, 300 b) read as the numbers they say")
  func sizesWithUnitLetters() throws {
    #expect(TableColumn.sizeNumber(Array("125M".utf8)) == 125e6)
    #expect(TableColumn.sizeNumber(Array("1.3B".utf8)) == 1.3e9)
    #expect(TableColumn.sizeNumber(Array("300 b".utf8)) == 300e9)
    #expect(TableColumn.sizeNumber(Array("2T".utf8)) == 2e12)
    #expect(TableColumn.sizeNumber(Array("70k".utf8)) == 70e3)
    #expect(TableColumn.sizeNumber(Array("7e9".utf8)) == 7e9)
    #expect(TableColumn.sizeNumber(Array("B".utf8)) == nil)
    #expect(TableColumn.sizeNumber(Array("gpt-1B".utf8)) == nil)
    // The same runs as `csv()` with N in millions and D in billions, written with their letters.
    let lettered = "params,tokens,final_loss\n" + csv().split(separator: "\n").dropFirst().map { line in
      let cells = line.split(separator: ",").compactMap { Double($0) }
      return "\(cells[0] / 1e6)M,\(cells[1] / 1e9)B,\(cells[2])"
    }.joined(separator: "\n") + "\n"
    try expectSameFit(lettered, as: csv())
  }

  /// `table` fitted as `reference` is: the same law to six digits (read the same numbers).
  func expectSameFit(_ table: String, as reference: String) throws {
    let plain = try CommandRunner.run(["scaling", "--format", "json", "--bootstrap", "0"], stdin: reference)
    let read = try CommandRunner.run(["scaling", "--format", "json", "--bootstrap", "0"], stdin: table)
    #expect(read.status == 0, "\(read.stderr)")
    let a = try #require(try JSONSerialization.jsonObject(with: Data(plain.stdout.utf8)) as? [String: Any])
    let b = try #require(try JSONSerialization.jsonObject(with: Data(read.stdout.utf8)) as? [String: Any])
    let fa = try #require(a["fit"] as? [String: Any])
    let fb = try #require(b["fit"] as? [String: Any])
    for name in ["E", "A", "alpha", "B", "beta"] {
      #expect(relativeError(try #require(fb[name] as? Double), try #require(fa[name] as? Double)) < 1e-6, "\(name)")
    }
  }

  @Test("columns named in a table's own words are found, a unit word in the name scales them, and a missing N is said")
  func columnsUnderOtherNames() throws {
    // The same runs as `csv()`, under the headers a spreadsheet might have: sizes in billions.
    var rows = ["run,Params (B),tokens_seen,tokens_per_param,val loss"]
    for line in csv().split(separator: "\n").dropFirst() {
      let cells = line.split(separator: ",").compactMap { Double($0) }
      rows.append("r,\(cells[0] / 1e9),\(cells[1]),\(cells[1] / cells[0]),\(cells[2])")
    }
    let table = rows.joined(separator: "\n") + "\n"
    let result = try CommandRunner.run(["scaling", "--format", "json", "--bootstrap", "0"], stdin: table)
    #expect(result.status == 0, "\(result.stderr)")
    let report = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    let fit = try #require(report["fit"] as? [String: Any])
    #expect(fit["model"] as? String == "E + A/N^alpha + B/D^beta")
    let input = try #require(report["input"] as? [String: Any])
    #expect((input["column_scales"] as? [String: Double]) == ["N": 1e9])
    // N read in billions and scaled: the fit is the one on raw parameter counts.
    #expect(relativeError(try #require(fit["E"] as? Double), 1.69) < 0.05)
    #expect(relativeError(try #require(fit["alpha"] as? Double), 0.34) < 0.05)
    let text = try CommandRunner.run(["scaling", "--bootstrap", "0"], stdin: table)
    #expect(text.stdout.contains("columns: N 'Params (B)' (×1e9, as its name says), D 'tokens_seen', loss 'val loss'"), "\(text.stdout)")
    // Without a size column the law is in D alone, and the report says so (tokens_per_param is a ratio, not N).
    let noSizes = rows.map { $0.split(separator: ",").enumerated().filter { $0.offset != 1 }.map(\.element).joined(separator: ",") }
    let alone = try CommandRunner.run(["scaling", "--bootstrap", "0"], stdin: noSizes.joined(separator: "\n") + "\n")
    #expect(alone.status == 0, "\(alone.stderr)")
    #expect(alone.stdout.contains("no parameter-count column among run, tokens_seen, tokens_per_param, val loss: the loss is fitted in D alone"), "\(alone.stdout)")
    #expect(alone.stdout.contains("ΔL doubling D at D="), "\(alone.stdout)")
    #expect(!alone.stdout.contains("N=1.00"), "\(alone.stdout)")
  }
}

@Suite(.serialized) struct ScalingPlotTests {
  @Test func scalingPlotIsValidSVG() throws {
    var text = "params,tokens,loss\n"
    for i in 0..<5 {
      for j in 0..<5 {
        let n = 1e8 * pow(10, Double(i) / 2)
        let d = 2e9 * pow(10, Double(j) / 2)
        text += "\(n),\(d),\(1.69 + 406.4 / pow(n, 0.34) + 410.7 / pow(d, 0.28))\n"
      }
    }
    let table = try CommandRunner.temporaryFile(named: "runs.csv", contents: text)
    let svgPath = table.replacingOccurrences(of: "runs.csv", with: "scaling.svg")
    let result = try CommandRunner.run(["scaling", table, "--bootstrap", "0", "--plot", svgPath])
    #expect(result.status == 0, "\(result.stderr)")
    let data = try Data(contentsOf: URL(fileURLWithPath: svgPath))
    let parser = XMLParser(data: data)
    #expect(parser.parse())
    let svg = String(decoding: data, as: UTF8.self)
    #expect(svg.contains("compute-optimal frontier"))
    #expect(svg.contains("D = "))
  }

  @Test func isoflopSweepPlotsItsProfilesBesideTheLaw() throws {
    var text = "flops,params,tokens,loss\n"
    for k in 0..<4 {
      let c = 1e19 * pow(10, Double(k))
      for j in -3...3 {
        let n = 0.6 * pow(c / 6, 0.45) * pow(2, Double(j))
        text += "\(c),\(n),\(c / (6 * n)),\(1.69 + 406.4 / pow(n, 0.34) + 410.7 / pow(c / (6 * n), 0.28))\n"
      }
    }
    let table = try CommandRunner.temporaryFile(named: "sweep.csv", contents: text)
    let svgPath = table.replacingOccurrences(of: "sweep.csv", with: "sweep.svg")
    let profilePath = table.replacingOccurrences(of: "sweep.csv", with: "sweep-isoflop.svg")
    try? FileManager.default.removeItem(atPath: svgPath)
    try? FileManager.default.removeItem(atPath: profilePath)
    let result = try CommandRunner.run(["scaling", table, "--bootstrap", "50", "--plot", svgPath])
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stderr.contains("wrote \(svgPath) and \(profilePath) (isoFLOP profiles)"))
    let data = try Data(contentsOf: URL(fileURLWithPath: profilePath))
    #expect(XMLParser(data: data).parse())
    let svg = String(decoding: data, as: UTF8.self)
    #expect(svg.contains("isoFLOP profiles"))
    #expect(svg.contains("N* ∝ C^"))
    #expect(svg.contains("95% band of the line"))
  }
}
