import Crypto

/// The SHA-256 of an input as it was read, so a report names exactly the bytes it describes.
///
/// A reference type so the line reader can feed it while it streams; `hex` ends it.
final class InputDigest: @unchecked Sendable {
  private var hasher = SHA256()

  func update(_ bytes: UnsafeRawBufferPointer) {
    hasher.update(bufferPointer: bytes)
  }

  /// The digest in lowercase hex.
  var hex: String {
    hasher.finalize().map { byte in
      let text = String(byte, radix: 16)
      return byte < 16 ? "0" + text : text
    }.joined()
  }
}
