import CurveFit
import CurveFitTestSupport
import Foundation
import Testing

/// `curvefit scaling` on tables that hold more than one study: filters, groups, the pooled-table
/// warning, and tables that are not tables of runs.
@Suite(.serialized) struct ScalingStudyTests {
  /// Two datasets whose laws differ in β (0.28 on "web", 0.40 on "code"), 6×6 runs each.
  func twoDatasets() -> String {
    var random = SeededRandom(seed: 11)
    var text = "dataset,params,tokens,loss\n"
    for (name, beta) in [("web", 0.28), ("code", 0.40)] {
      for i in 0..<6 {
        for j in 0..<6 {
          let n = 1e8 * pow(10, Double(i) / 2.5)
          let d = 2e9 * pow(10, Double(j) / 2.5)
          let loss = (1.69 + 406.4 / pow(n, 0.34) + 410.7 / pow(d, beta)) * (1 + 0.002 * random.gaussian())
          text += "\(name),\(n),\(d),\(loss)\n"
        }
      }
    }
    return text
  }

  @Test func groupFitsEachDatasetAndComparesThem() throws {
    let result = try CommandRunner.run(["scaling", "--group", "dataset", "--bootstrap", "40", "--format", "json"], stdin: twoDatasets())
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stderr.isEmpty, "no pooling warning once grouped: \(result.stderr)")
    let report = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    let groups = try #require(report["groups"] as? [[String: Any]])
    #expect(groups.count == 2)
    var betas: [String: Double] = [:]
    for group in groups {
      let key = try #require(group["group"] as? [String: String])
      let fit = try #require(group["fit"] as? [String: Any])
      betas[key["dataset"] ?? ""] = fit["beta"] as? Double
      #expect((group["input"] as? [String: Any])?["runs"] as? Int == 36)
    }
    #expect(abs(try #require(betas["web"]) - 0.28) < 0.02)
    #expect(abs(try #require(betas["code"]) - 0.40) < 0.02)

    let text = try CommandRunner.run(["scaling", "--group", "dataset", "--bootstrap", "20"], stdin: twoDatasets())
    #expect(text.stdout.contains("2 groups by dataset"))
    #expect(text.stdout.contains("dataset=web") && text.stdout.contains("dataset=code"))
  }

  @Test func whereKeepsOneDataset() throws {
    let result = try CommandRunner.run(["scaling", "--where", "dataset=code", "--bootstrap", "0", "--format", "json"], stdin: twoDatasets())
    #expect(result.status == 0, "\(result.stderr)")
    let report = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    let fit = try #require(report["fit"] as? [String: Any])
    #expect(abs(try #require(fit["beta"] as? Double) - 0.40) < 0.02)
    #expect((report["input"] as? [String: Any])?["runs"] as? Int == 36)

    let none = try CommandRunner.run(["scaling", "--where", "dataset=books"], stdin: twoDatasets())
    #expect(none.status == 64)
    #expect(none.stderr == "curvefit: <stdin>: no run has dataset=books; its values are web, code\n")
    let column = try CommandRunner.run(["scaling", "--where", "split=val"], stdin: twoDatasets())
    #expect(column.status == 64)
    #expect(column.stderr.contains("--where names column 'split', which is not in the table"))
    let malformed = try CommandRunner.run(["scaling", "--where", "dataset"], stdin: twoDatasets())
    #expect(malformed.status == 64)
    #expect(malformed.stderr.contains("--where expects COL=VALUE, got 'dataset'"))
  }

  @Test func pooledTableIsWarnedAbout() throws {
    let result = try CommandRunner.run(["scaling", "--bootstrap", "0"], stdin: twoDatasets())
    #expect(result.status == 0)
    #expect(result.stderr == "curvefit: warning: the runs differ in dataset (web, code); they are pooled into one law. Fit each with --group dataset, or keep one with --where dataset=web\n")
  }

  @Test func trainingLogIsRefused() throws {
    var log = "step,loss,tokens\n"
    for step in stride(from: 10, through: 500, by: 10) { log += "\(step),\(2 + 8 / pow(Double(step), 0.5)),\(step * 4096)\n" }
    let result = try CommandRunner.run(["scaling"], stdin: log)
    #expect(result.status == 1)
    #expect(result.stderr == "curvefit: <stdin>: looks like a training log (a 'step' column, no model-size column), not a table of finished runs; run `curvefit <stdin>` to analyse the run\n")
  }

  @Test func risingScoreIsRefused() throws {
    var table = "params,tokens,eval_loss\n"
    for i in 0..<5 {
      for j in 0..<5 {
        let n = 1e8 * pow(4, Double(i))
        let d = 2e9 * pow(4, Double(j))
        table += "\(n),\(d),\(0.2 + 0.05 * Double(i + j))\n"
      }
    }
    let result = try CommandRunner.run(["scaling"], stdin: table)
    #expect(result.status == 1)
    #expect(result.stderr.hasPrefix("curvefit: <stdin>: 'eval_loss' rises with model and data size (rank correlation +"))
    #expect(result.stderr.contains("it looks like an accuracy or a score, not a loss"))
  }

  @Test func isoflopSweepIsDetectedAndReported() throws {
    // 4 budgets × 7 sizes of the Chinchilla law, 0.1% noise, compute in its own column.
    var random = SeededRandom(seed: 12)
    var table = "flops,params,tokens,loss\n"
    for k in 0..<4 {
      let c = 1e19 * pow(10, Double(k))
      let optimum = 0.6 * pow(c / 6, 0.45)
      for j in -3...3 {
        let n = optimum * pow(2, Double(j))
        let d = c / (6 * n)
        let loss = (1.69 + 406.4 / pow(n, 0.34) + 410.7 / pow(d, 0.28)) * (1 + 0.001 * random.gaussian())
        table += "\(c),\(n),\(d),\(loss)\n"
      }
    }
    let result = try CommandRunner.run(["scaling", "--bootstrap", "100", "--format", "json"], stdin: table)
    #expect(result.status == 0, "\(result.stderr)")
    let report = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    let iso = try #require(report["isoflop"] as? [String: Any])
    let budgets = try #require(iso["budgets"] as? [[String: Any]])
    #expect(budgets.count == 4)
    for budget in budgets {
      #expect(budget["compute"] is Double && budget["n_opt"] is Double && budget["d_opt"] is Double)
      #expect(budget["points"] as? Int == 7)
      #expect(((budget["ci95"] as? [String: Any])?["n_opt"] as? [Double])?.count == 2)
    }
    let a = try #require(iso["a"] as? Double)
    #expect(abs(a - 0.28 / 0.62) < 0.02)
    #expect(abs(try #require(iso["b"] as? Double) - 0.34 / 0.62) < 0.02)
    #expect(((iso["ci95"] as? [String: Any])?["a"] as? [Double])?.count == 2)
    let text = try CommandRunner.run(["scaling", "--bootstrap", "50"], stdin: table)
    #expect(text.stdout.contains("ISOFLOP  N*(C) at 4 compute budgets"))
    #expect(text.stdout.contains("N* ∝ C^a"))
    let off = try CommandRunner.run(["scaling", "--bootstrap", "0", "--no-isoflop", "--format", "json"], stdin: table)
    #expect(off.stdout.contains("\"isoflop\": null"))
  }
}
