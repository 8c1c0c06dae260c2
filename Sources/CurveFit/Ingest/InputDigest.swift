import CLibCrypto

/// The SHA-256 of an input as it was read, so a report names exactly the bytes it describes.
///
/// The system's libcrypto (OpenSSL 3) computes it: swift-crypto, which did before, builds all
/// of BoringSSL from source, 340 of the 367 compile steps of a first build, for this one hash.
/// A reference type so the line reader can feed it while it streams; `hex` ends it.
final class InputDigest: @unchecked Sendable {
  private let context: OpaquePointer?

  init() {
    context = EVP_MD_CTX_new()
    EVP_DigestInit_ex(context, EVP_sha256(), nil)
  }

  deinit { EVP_MD_CTX_free(context) }

  func update(_ bytes: UnsafeRawBufferPointer) {
    guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
    EVP_DigestUpdate(context, base, bytes.count)
  }

  /// The digest in lowercase hex.
  var hex: String {
    var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
    var length: UInt32 = 0
    EVP_DigestFinal_ex(context, &digest, &length)
    return digest.prefix(Int(length)).map { byte in
      let text = String(byte, radix: 16)
      return byte < 16 ? "0" + text : text
    }.joined()
  }
}
