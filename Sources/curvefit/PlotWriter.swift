import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Writes a plot without ever destroying an input.
///
/// `--plot run.csv` used to replace the training log with the SVG, and `--plot /dev/full`, run
/// as root, replaced the device. A path that resolves to an input, or to an existing file that
/// is not an SVG (or not a regular file at all), is refused as bad usage; the SVG is written to
/// a temporary file in the same folder and renamed into place, so a failed write leaves what
/// was there.
enum PlotWriter {
  static func write(_ svg: String, to path: String, inputs: [String]) throws {
    let target = URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
    for input in inputs where !input.isEmpty && input != "-" {
      let resolved = URL(fileURLWithPath: input).standardizedFileURL.resolvingSymlinksInPath().path
      if resolved == target || (isDirectory(resolved) && target.hasPrefix(resolved + "/") && isRegular(target) && !isSVG(target)) {
        ExitStatus.printError("\(path): --plot would overwrite an input; choose another file (e.g. plot.svg)")
        throw ExitStatus.badUsage
      }
    }
    var status = stat()
    if lstat(target, &status) == 0 {
      guard (status.st_mode & S_IFMT) == S_IFREG else {
        ExitStatus.printError("\(path): --plot must name a regular file, not a device, pipe or directory")
        throw ExitStatus.badUsage
      }
      guard isSVG(target) else {
        ExitStatus.printError("\(path): exists and is not an SVG; --plot refuses to overwrite it")
        throw ExitStatus.badUsage
      }
    }
    let folder = URL(fileURLWithPath: target).deletingLastPathComponent()
    let temporary = folder.appendingPathComponent(".\(URL(fileURLWithPath: target).lastPathComponent).\(getpid()).tmp")
    do {
      try Data(svg.utf8).write(to: temporary)
      guard rename(temporary.path, target) == 0 else {
        throw CocoaError(.fileWriteUnknown)
      }
    } catch {
      try? FileManager.default.removeItem(at: temporary)
      ExitStatus.printError("\(path): cannot write the plot")
      throw ExitStatus.badInput
    }
  }

  private static func isDirectory(_ path: String) -> Bool {
    var status = stat()
    return stat(path, &status) == 0 && (status.st_mode & S_IFMT) == S_IFDIR
  }

  private static func isRegular(_ path: String) -> Bool {
    var status = stat()
    return stat(path, &status) == 0 && (status.st_mode & S_IFMT) == S_IFREG
  }

  /// An existing plot of ours (or any SVG) may be replaced; anything else is someone's data.
  private static func isSVG(_ path: String) -> Bool {
    guard let handle = FileHandle(forReadingAtPath: path) else { return false }
    defer { try? handle.close() }
    let head = (try? handle.read(upToCount: 512)) ?? Data()
    if head.isEmpty { return true }
    let text = String(decoding: head, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    return text.hasPrefix("<?xml") || text.hasPrefix("<svg")
  }
}
