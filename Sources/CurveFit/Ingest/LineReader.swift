#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Streams lines out of a file descriptor in large blocks, without a `String` per line.
///
/// Memory is one block plus the longest line; a line longer than `maxLineLength` is an error
/// rather than an unbounded allocation. The trailing `\r` of a CRLF line end is stripped, and the
/// last line needs no newline.
struct LineReader {
  /// Where the bytes come from: an open file descriptor, or bytes already in memory.
  enum Input {
    case descriptor(Int32)
    case memory([UInt8])
    /// Bytes `start..<end` of a regular file, read with `pread` (workers share one descriptor).
    case fileRange(Int32, start: Int, end: Int)
    /// Bytes already taken from a stream (to sniff its format), then the rest of the stream.
    case prefixed([UInt8], Int32)
    /// Decompressed bytes already taken (to sniff the format), then the rest, decompressed as read.
    case decompressing([UInt8], DecompressingStream)
  }

  let input: Input
  let source: String
  let blockSize: Int
  let maxLineLength: Int

  /// The number given to the first line (lines before a range are counted by the caller).
  var firstLineNumber = 1
  /// Fed every byte read, in order, when set.
  var digest: InputDigest?

  init(input: Input, source: String, blockSize: Int = 1 << 20, maxLineLength: Int = 1 << 24) {
    self.input = input
    self.source = source
    self.blockSize = blockSize
    self.maxLineLength = maxLineLength
  }

  /// Calls `body` with each line and its 1-based number until the input ends or `body` returns
  /// `false`.
  func forEachLine(
    _ body: (UnsafeBufferPointer<UInt8>, Int) throws(IngestError) -> Bool
  ) throws(IngestError) {
    try forEachLine { (line, number, _) throws(IngestError) -> Bool in try body(line, number) }
  }

  /// Like `forEachLine`, also passing the input offset just past each line's newline.
  func forEachLine(
    _ body: (UnsafeBufferPointer<UInt8>, Int, Int) throws(IngestError) -> Bool
  ) throws(IngestError) {
    var lineNumber = firstLineNumber - 1
    try forEachChunk(nextLine: { lineNumber + 1 }) { (base, filled, atEnd, bufferOffset) throws(IngestError) -> Int? in
      var lineStart = 0
      while lineStart < filled {
        guard let lineEnd = Self.lineEnd(base, from: lineStart, filled: filled, atEnd: atEnd) else { break }
        lineNumber += 1
        var contentEnd = lineEnd
        if contentEnd > lineStart, base[contentEnd - 1] == 0x0D { contentEnd -= 1 }
        let line = UnsafeBufferPointer(start: base + lineStart, count: contentEnd - lineStart)
        if try !body(line, lineNumber, bufferOffset + min(lineEnd + 1, filled)) { return nil }
        lineStart = lineEnd + 1
      }
      return lineStart
    }
  }

  /// Like `forEachLine`, but a `\r` also ends a piece: each redraw of a progress bar captured to a
  /// file is passed on its own, numbered with the line it is on. A run-long bar (diffusers' `Steps:`)
  /// is one line of every step's redraw, longer than `maxLineLength` for a run of 200,000 steps;
  /// read piece by piece it needs no more memory than its longest redraw.
  func forEachRedraw(
    _ body: (UnsafeBufferPointer<UInt8>, Int) throws(IngestError) -> Bool
  ) throws(IngestError) {
    var lineNumber = firstLineNumber - 1
    try forEachChunk(nextLine: { lineNumber + 1 }) { (base, filled, atEnd, _) throws(IngestError) -> Int? in
      var start = 0
      while start < filled {
        let stop = Self.lineEnd(base, from: start, filled: filled, atEnd: atEnd)
        // A line not yet ended: its redraws up to the last `\r` in the buffer can go now.
        let end = stop ?? Self.lastCarriageReturn(base, from: start, to: filled)
        guard let end else { break }
        var piece = start
        for index in start...end where index == end || base[index] == 0x0D {
          if index > piece {
            let segment = UnsafeBufferPointer(start: base + piece, count: index - piece)
            if try !body(segment, lineNumber + 1) { return nil }
          }
          piece = index + 1
        }
        if stop != nil { lineNumber += 1 }
        start = end + 1
      }
      return min(start, filled)
    }
  }

  /// Where the line from `start` ends: its newline, the input's end, or `nil` when the buffer
  /// holds only part of it.
  private static func lineEnd(_ base: UnsafeMutablePointer<UInt8>, from start: Int, filled: Int, atEnd: Bool) -> Int? {
    if let newline = memchr(base + start, 0x0A, filled - start) { return UnsafeRawPointer(newline) - UnsafeRawPointer(base) }
    return atEnd ? filled : nil
  }

  private static func lastCarriageReturn(_ base: UnsafeMutablePointer<UInt8>, from start: Int, to end: Int) -> Int? {
    var index = end - 1
    while index >= start {
      if base[index] == 0x0D { return index }
      index -= 1
    }
    return nil
  }

  /// Calls `body` with runs of whole lines, each ending in a newline except possibly the input's
  /// last; a line is never split between two calls. `body` numbers the lines and returns how
  /// many the block held (for the number of a line too long to fit).
  func forEachBlock(_ body: (UnsafeBufferPointer<UInt8>) throws(IngestError) -> Int) throws(IngestError) {
    var lines = 0
    try forEachChunk(nextLine: { firstLineNumber + lines }) { (base, filled, atEnd, _) throws(IngestError) -> Int? in
      var end = filled
      if !atEnd {
        // Whole lines only: up to the last newline; a block without one waits for more bytes.
        while end > 0, base[end - 1] != 0x0A { end -= 1 }
      }
      if end > 0 { lines += try body(UnsafeBufferPointer(start: base, count: end)) }
      return end
    }
  }

  /// Fills the buffer block by block and hands it to `body` with the count of valid bytes,
  /// whether the input has ended, and the input offset of its first byte. `body` returns how many
  /// bytes it used (the rest is kept for the next call), or `nil` to stop. The buffer doubles,
  /// up to `maxLineLength`, while a line does not fit.
  private func forEachChunk(
    nextLine: () -> Int,
    _ body: (UnsafeMutablePointer<UInt8>, Int, Bool, Int) throws(IngestError) -> Int?
  ) throws(IngestError) {
    var capacity = blockSize
    var buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: 16)
    defer { buffer.deallocate() }
    var filled = 0
    // Input offset of buffer[0].
    var bufferOffset = 0
    var atEnd = false
    var consumed = 0
    while !atEnd {
      if filled == capacity {
        guard capacity < maxLineLength else {
          throw .lineTooLong(SourceLocation(source: source, line: nextLine()), limit: maxLineLength)
        }
        let grown = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity * 2, alignment: 16)
        grown.copyMemory(from: UnsafeRawBufferPointer(rebasing: buffer[0..<filled]))
        buffer.deallocate()
        buffer = grown
        capacity *= 2
      }
      let got = readSome(into: buffer, from: filled, consumed: &consumed)
      guard got >= 0 else {
        if case .decompressing(_, let stream) = input, let failure = stream.failure { throw failure }
        throw .cannotOpen(source: source, reason: String(cString: strerror(errno)))
      }
      if got == 0 { atEnd = true }
      if let digest, got > 0, let base = buffer.baseAddress {
        digest.update(UnsafeRawBufferPointer(start: base + filled, count: got))
      }
      filled += got
      guard let base = buffer.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return }
      guard let used = try body(base, filled, atEnd, bufferOffset) else { return }
      if used >= filled {
        bufferOffset += filled
        filled = 0
      } else if used > 0 {
        memmove(base, base + used, filled - used)
        bufferOffset += used
        filled -= used
      }
    }
  }

  private func readSome(
    into buffer: UnsafeMutableRawBufferPointer, from offset: Int, consumed: inout Int
  ) -> Int {
    guard let base = buffer.baseAddress else { return 0 }
    switch input {
    case .descriptor(let descriptor):
      while true {
        let got = read(descriptor, base + offset, buffer.count - offset)
        if got < 0 && errno == EINTR { continue }
        return got
      }
    case .fileRange(let descriptor, let start, let end):
      let position = start + consumed
      let wanted = min(end - position, buffer.count - offset)
      guard wanted > 0 else { return 0 }
      while true {
        let got = pread(descriptor, base + offset, wanted, off_t(position))
        if got < 0 && errno == EINTR { continue }
        if got > 0 { consumed += got }
        return got
      }
    case .prefixed(let head, let descriptor):
      if consumed < head.count {
        return Self.copy(from: head, consumed: &consumed, into: base + offset, room: buffer.count - offset)
      }
      while true {
        let got = read(descriptor, base + offset, buffer.count - offset)
        if got < 0 && errno == EINTR { continue }
        return got
      }
    case .memory(let bytes):
      return Self.copy(from: bytes, consumed: &consumed, into: base + offset, room: buffer.count - offset)
    case .decompressing(let head, let stream):
      if consumed < head.count {
        return Self.copy(from: head, consumed: &consumed, into: base + offset, room: buffer.count - offset)
      }
      return stream.read(into: base + offset, count: buffer.count - offset)
    }
  }

  /// Copies the next bytes of an in-memory input into the buffer.
  private static func copy(
    from bytes: [UInt8], consumed: inout Int, into destination: UnsafeMutableRawPointer, room: Int
  ) -> Int {
    let count = min(bytes.count - consumed, room)
    let start = consumed
    bytes.withUnsafeBytes { source in
      guard let from = source.baseAddress else { return }
      destination.copyMemory(from: from + start, byteCount: count)
    }
    consumed += count
    return count
  }
}
