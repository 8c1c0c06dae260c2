import CurveFitTestSupport
import Foundation
import Testing

/// What a newcomer types first: every example in every help text runs as written from the
/// repository root, and flags given wrongly are usage errors that say what to do.
@Suite(.serialized) struct HelpExampleTests {
  /// The example command lines under "Examples" in `help`, continuation lines joined.
  func examples(_ help: String) -> [String] {
    guard let start = help.range(of: "Examples") else { return [] }
    let block = help[start.upperBound...].split(separator: "\n", omittingEmptySubsequences: false)
      .dropFirst().prefix { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
    var commands: [String] = []
    var pending = ""
    for line in block.map({ $0.trimmingCharacters(in: .whitespaces) }) {
      if line.hasSuffix("\\") {
        pending += line.dropLast() + " "
        continue
      }
      commands.append(pending + line)
      pending = ""
    }
    return commands.filter { $0.contains("curvefit") }
  }

  @Test(arguments: [[String](), ["analyze"], ["scaling"], ["watch"]])
  func everyHelpExampleRuns(_ subcommand: [String]) throws {
    let binary = try #require(CommandRunner.binary).path
    let help = try CommandRunner.run(subcommand + ["--help"]).stdout
    let lines = examples(help)
    #expect(!lines.isEmpty, "no examples in \(subcommand) --help")
    for line in lines {
      let command = line.replacingOccurrences(of: "curvefit ", with: "\(binary) ")
      let result = try Self.bash(command + " > /dev/null", in: CommandRunner.packageRoot)
      // 0, or 3 when the example asks --fail-on and the log has such an event.
      #expect([0, 3].contains(result.status), "\(line): \(result.stderr)")
    }
  }

  /// A console log of a layout curvefit does not know: say so and give a --pattern that reads it.
  @Test func unknownConsoleLogSuggestsAPattern() throws {
    // The loss before its counter: no built-in layout reads that order (`it=N loss=X` is read).
    let lines = (1...300).map { "[train] ep=0 loss=\(2 + 8 * pow(Double($0), -0.35)) it=\($0) lr=3e-4" }
    let path = try CommandRunner.temporaryFile(named: "custom.log", contents: lines.joined(separator: "\n") + "\n")
    let result = try CommandRunner.run([path])
    #expect(result.status == 1)
    #expect(result.stderr.contains("custom.log: not a format curvefit recognises"), "\(result.stderr)")
    let suggested = try #require(result.stderr.components(separatedBy: "--pattern '").last?.split(separator: "'").first)
    let read = try CommandRunner.run([path, "--pattern", String(suggested), "--format", "json", "--bootstrap", "0"])
    #expect(read.status == 0, "\(read.stderr)")
    #expect(read.stdout.contains("\"rows\": 300"))
  }

  @Test func wrongFlagsAreUsageErrors() throws {
    let log = "examples/slm-125m-legal/metrics.jsonl"
    let past = try CommandRunner.run([log, "--from-step", "100000"])
    #expect(past.status == 64)
    #expect(past.stderr.contains("--from-step 100000 is past the last logged step, 7760"), "\(past.stderr)")
    let negative = try CommandRunner.run([log, "--from-step", "-5", "--bootstrap", "0"])
    #expect(negative.status == 0, "\(negative.stderr)")
    let pattern = try CommandRunner.run([log, "--pattern", "(?<step"])
    #expect(pattern.status == 64)
    #expect(pattern.stderr.split(separator: "\n").count == 1)
    #expect(!pattern.stderr.contains("cannot open"))
  }

  /// bash itself, given the generated script: `curvefit analyze --units <TAB>` offers the units,
  /// `curvefit analyze r<TAB>` the files starting with r.
  @Test func bashCompletesUnitsAndFiles() throws {
    let script = try CommandRunner.temporaryFile(
      named: "curvefit.bash", contents: try CommandRunner.run(["--generate-completion-script", "bash"]).stdout)
    let folder = URL(fileURLWithPath: script).deletingLastPathComponent()
    try Data().write(to: folder.appendingPathComponent("run.csv"))
    func complete(_ words: [String]) throws -> [String] {
      let quoted = words.map { "'\($0)'" }.joined(separator: " ")
      let line = words.joined(separator: " ")
      let result = try Self.bash("""
        source '\(script)'; COMP_WORDS=(\(quoted)); COMP_CWORD=\(words.count - 1); COMP_LINE='\(line)'
        COMP_POINT=${#COMP_LINE}; _curvefit curvefit '\(words.last!)' '\(words[words.count - 2])'
        printf '%s\\n' "${COMPREPLY[@]}"
        """, in: folder)
      return result.stdout.split(separator: "\n").map(String.init)
    }
    #expect(try complete(["curvefit", "analyze", "--units", ""]) == ["nats", "bits", "ppl", "bpb", "bpc"])
    #expect(try complete(["curvefit", "analyze", "r"]).contains("run.csv"))
  }

  /// Completion scripts complete file names for FILE and --plot and offer the values of the
  /// flags that take a fixed set.
  @Test func completionsOfferFilesAndValues() throws {
    let bash = try CommandRunner.run(["--generate-completion-script", "bash"]).stdout
    #expect(bash.contains("-W 'nats'$'\\n''bits'$'\\n''ppl'"))
    #expect(bash.contains("-W 'spike'$'\\n''plateau'$'\\n''divergence'"))
    #expect(bash.contains("-W 'constant'$'\\n''cosine'"))
    #expect(bash.contains("__curvefit_add_completions -f"))
    let fish = try CommandRunner.run(["--generate-completion-script", "fish"]).stdout
    #expect(fish.contains("positional \"curvefit analyze\" -eq 1' -F"), "FILE completes file names")
    #expect(fish.contains("'text markdown json'"))
    #expect(fish.contains("'power pure shifted annealing'"))
    let zsh = try CommandRunner.run(["--generate-completion-script", "zsh"]).stdout
    #expect(zsh.contains("_files"))
  }

  /// The reproducibility record names the bytes on disk for every format: an event file, a W&B
  /// export (each run), a gzip log (not its inflated bytes).
  @Test func everyInputIsHashedAsItIsOnDisk() throws {
    let fixtures = "Tests/CurveFitTests/Fixtures/"
    let gz = try CommandRunner.temporaryFile(named: "run.csv.gz", bytes: Data(StoredGzip.wrap(Array(HostileInputTests.csv(HostileInputTests.clean()).utf8))))
    for path in [fixtures + "tensorboard-generated/events.out.tfevents.1700000000.curvefit-fixture.0", fixtures + "wandb-export/wandb_export.csv", gz] {
      let process = Process()
      process.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
      process.arguments = [path]
      process.currentDirectoryURL = CommandRunner.packageRoot
      let output = Pipe()
      process.standardOutput = output
      try process.run()
      let expected = String(String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).prefix(64))
      process.waitUntilExit()
      let result = try CommandRunner.run([path, "--format", "json", "--bootstrap", "0"])
      let hashes = result.stdout.components(separatedBy: "\"sha256\": \"").dropFirst().map { String($0.prefix(64)) }
      #expect(!hashes.isEmpty, "\(path): \(result.stderr)")
      #expect(hashes.allSatisfy { $0 == expected }, "\(path): \(hashes) vs \(expected)")
    }
  }

  /// Runs `command` with bash in `folder`, stdin empty; its output, errors and status.
  static func bash(_ command: String, in folder: URL) throws -> CommandResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/bash")
    process.arguments = ["-c", command]
    process.currentDirectoryURL = folder
    let output = Pipe()
    let errors = Pipe()
    process.standardOutput = output
    process.standardError = errors
    process.standardInput = FileHandle.nullDevice
    try process.run()
    let stdout = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    return CommandResult(stdout: stdout, stderr: stderr, status: process.terminationStatus)
  }
}
