import Foundation

/// Follows a growing file like `tail -F`: counts appended lines without rereading old bytes, and
/// notices truncation and replacement (log rotation).
struct FileFollower {
  let path: String
  private var identity: (device: UInt64, inode: UInt64)?
  private var offset: UInt64 = 0
  /// Newline-terminated lines seen so far.
  private(set) var lineCount = 0

  init(path: String) { self.path = path }

  /// Reads what was appended since the last call; true when the file was truncated or replaced,
  /// in which case counting starts over from its beginning.
  mutating func refresh() -> Bool {
    var status = stat()
    guard stat(path, &status) == 0 else { return false }
    let current = (UInt64(status.st_dev), UInt64(status.st_ino))
    var restarted = false
    if let previous = identity, previous != current || UInt64(status.st_size) < offset {
      restarted = true
      offset = 0
      lineCount = 0
    }
    identity = current
    guard let handle = FileHandle(forReadingAtPath: path) else { return restarted }
    defer { try? handle.close() }
    try? handle.seek(toOffset: offset)
    while let chunk = try? handle.read(upToCount: 1 << 20), !chunk.isEmpty {
      lineCount += chunk.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
      offset += UInt64(chunk.count)
    }
    return restarted
  }
}
