import CZlib
import Foundation

/// A compressed file decompressed as it is read, a block at a time, for the line reader.
///
/// Reading a .gz whole used to hold all of it decompressed: a 1.9 GB CSV compressed took 9.8 GB
/// of memory before it failed. Streamed, memory is the line reader's block, the compressed
/// block and the decoder's window, whatever the file's size. gzip goes through zlib; zstd
/// through the system's libzstd, loaded at run time (see `Decompression`).
final class DecompressingStream: @unchecked Sendable {
  let kind: Decompression.Kind
  private let descriptor: Int32
  private let source: String
  private var input = [UInt8](repeating: 0, count: 1 << 20)
  private var inputFilled = 0
  private var inputUsed = 0
  private var inputEnded = false
  private var finished = false
  /// Why decompression stopped early, for the reader to throw.
  private(set) var failure: IngestError?
  private var zlib = z_stream()
  private var zstd: ZstdStream?
  /// Compressed bytes consumed before the current buffer, for error offsets.
  private var consumedBefore = 0

  init(kind: Decompression.Kind, descriptor: Int32, source: String) throws(IngestError) {
    self.kind = kind
    self.descriptor = descriptor
    self.source = source
    switch kind {
    case .gzip:
      // 15 + 32: a zlib or gzip header, detected.
      guard inflateInit2_(&zlib, 15 + 32, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
        throw .cannotOpen(source: source, reason: "zlib could not start inflating")
      }
    case .zstd:
      zstd = try ZstdStream(source: source)
    case .utf16LE, .utf16BE:
      throw .cannotOpen(source: source, reason: "UTF-16 text is transcoded whole, not streamed")
    }
  }

  deinit {
    if kind == .gzip { inflateEnd(&zlib) }
  }

  /// Fills up to `count` bytes at `destination`; 0 at the end, -1 on an error (see `failure`).
  func read(into destination: UnsafeMutableRawPointer, count: Int) -> Int {
    guard failure == nil else { return -1 }
    while !finished {
      if inputUsed == inputFilled, !inputEnded { refill() }
      if failure != nil { return -1 }
      let produced = kind == .gzip ? inflateSome(into: destination, count: count) : zstdSome(into: destination, count: count)
      if failure != nil { return -1 }
      if produced > 0 { return produced }
      if inputUsed == inputFilled, inputEnded {
        if !finished { fail("the \(kind.rawValue) stream is truncated at byte \(consumedBefore + inputUsed)") }
        return failure == nil ? 0 : -1
      }
    }
    return 0
  }

  private func refill() {
    consumedBefore += inputUsed
    inputFilled = 0
    inputUsed = 0
    while true {
      let got = input.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
      if got < 0 && errno == EINTR { continue }
      if got < 0 { fail(String(cString: strerror(errno))) }
      if got <= 0 { inputEnded = true } else { inputFilled = got }
      return
    }
  }

  private func inflateSome(into destination: UnsafeMutableRawPointer, count: Int) -> Int {
    let status: Int32 = input.withUnsafeMutableBufferPointer { buffer in
      zlib.next_in = buffer.baseAddress! + inputUsed
      zlib.avail_in = uInt(inputFilled - inputUsed)
      zlib.next_out = destination.assumingMemoryBound(to: Bytef.self)
      zlib.avail_out = uInt(count)
      let status = inflate(&zlib, Z_NO_FLUSH)
      inputUsed = inputFilled - Int(zlib.avail_in)
      return status
    }
    let produced = count - Int(zlib.avail_out)
    switch status {
    case Z_OK, Z_BUF_ERROR:
      break
    case Z_STREAM_END:
      // Concatenated members (`cat a.gz b.gz`) continue; trailing zero padding ends the stream.
      if inputUsed == inputFilled, !inputEnded { refill() }
      if input[inputUsed..<inputFilled].allSatisfy({ $0 == 0 }) {
        finished = true
      } else {
        inflateReset(&zlib)
      }
    default:
      fail("not valid gzip data (zlib error \(status)) at byte \(consumedBefore + inputUsed)")
    }
    return produced
  }

  private func zstdSome(into destination: UnsafeMutableRawPointer, count: Int) -> Int {
    guard let zstd else { return 0 }
    let result = input.withUnsafeMutableBytes { buffer in
      zstd.step(input: buffer.baseAddress!, filled: inputFilled, used: &inputUsed, output: destination, count: count)
    }
    switch result {
    case .failure(let failure):
      fail("zstd: \(failure.message)")
      return 0
    case .success(let (produced, frameEnded)):
      if frameEnded, inputUsed == inputFilled {
        if !inputEnded { refill() }
        if inputEnded, inputUsed == inputFilled { finished = true }
      }
      return produced
    }
  }

  private func fail(_ reason: String) {
    if failure == nil { failure = .cannotOpen(source: source, reason: reason) }
  }
}

/// libzstd's streaming decoder, reached through `dlopen` as in `Decompression`.
final class ZstdStream {
  private typealias CreateStream = @convention(c) () -> OpaquePointer?
  private typealias FreeStream = @convention(c) (OpaquePointer?) -> Int
  private typealias DecompressStream = @convention(c) (OpaquePointer?, UnsafeMutableRawPointer, UnsafeMutableRawPointer) -> Int
  private typealias IsError = @convention(c) (Int) -> UInt32
  private typealias ErrorName = @convention(c) (Int) -> UnsafePointer<CChar>?

  private struct Buffer {
    var pointer: UnsafeMutableRawPointer?
    var size: Int
    var position: Int
  }

  private let stream: OpaquePointer
  private let free: FreeStream
  private let decompress: DecompressStream
  private let isError: IsError
  private let errorName: ErrorName

  init(source: String) throws(IngestError) {
    guard let library = dlopen("libzstd.so.1", RTLD_NOW) ?? dlopen("libzstd.so", RTLD_NOW) ?? dlopen("libzstd.1.dylib", RTLD_NOW),
      let create = dlsym(library, "ZSTD_createDStream"), let free = dlsym(library, "ZSTD_freeDStream"),
      let step = dlsym(library, "ZSTD_decompressStream"), let isError = dlsym(library, "ZSTD_isError"),
      let errorName = dlsym(library, "ZSTD_getErrorName")
    else {
      throw .cannotOpen(source: source, reason: "a zstd file, and no libzstd is installed: decompress it with `zstd -d` or install libzstd1")
    }
    guard let stream = unsafeBitCast(create, to: CreateStream.self)() else {
      throw .cannotOpen(source: source, reason: "libzstd could not start")
    }
    self.stream = stream
    self.free = unsafeBitCast(free, to: FreeStream.self)
    self.decompress = unsafeBitCast(step, to: DecompressStream.self)
    self.isError = unsafeBitCast(isError, to: IsError.self)
    self.errorName = unsafeBitCast(errorName, to: ErrorName.self)
  }

  deinit { _ = free(stream) }

  /// Decodes from `input[used..<filled]` into `output`; the bytes produced and whether a frame ended.
  func step(
    input: UnsafeMutableRawPointer, filled: Int, used: inout Int, output: UnsafeMutableRawPointer, count: Int
  ) -> Result<(Int, Bool), ZstdFailure> {
    var inBuffer = Buffer(pointer: input, size: filled, position: used)
    var outBuffer = Buffer(pointer: output, size: count, position: 0)
    let code = withUnsafeMutablePointer(to: &outBuffer) { o in
      withUnsafeMutablePointer(to: &inBuffer) { i in decompress(stream, UnsafeMutableRawPointer(o), UnsafeMutableRawPointer(i)) }
    }
    used = inBuffer.position
    if isError(code) != 0 {
      return .failure(ZstdFailure(message: errorName(code).map { String(cString: $0) } ?? "error \(code)"))
    }
    return .success((outBuffer.position, code == 0))
  }
}

struct ZstdFailure: Error {
  var message: String
}
