import Foundation

/// Follows a growing file like `tail -F`: counts appended lines without rereading old bytes, and
/// notices truncation and replacement (log rotation).
struct FileFollower {
  let path: String
  private var identity: (device: UInt64, inode: UInt64)?
  private var offset: UInt64 = 0
  /// Lines seen so far: ended by a newline, or by a lone carriage return (a progress bar
  /// redrawing itself, which writes no newline until its epoch ends).
  private(set) var lineCount = 0
  /// The last byte read, for a carriage return at the end of one read and a newline at the
  /// start of the next.
  private var lastByte: UInt8 = 0

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
      lastByte = 0
    }
    identity = current
    guard let handle = FileHandle(forReadingAtPath: path) else { return restarted }
    defer { try? handle.close() }
    try? handle.seek(toOffset: offset)
    while let chunk = try? handle.read(upToCount: 1 << 20), !chunk.isEmpty {
      for byte in chunk {
        // `\r\n` is one line end: its `\r` was counted, so the `\n` is not.
        if byte == 0x0A, lastByte != 0x0D { lineCount += 1 }
        if byte == 0x0D { lineCount += 1 }
        lastByte = byte
      }
      offset += UInt64(chunk.count)
    }
    return restarted
  }
}
