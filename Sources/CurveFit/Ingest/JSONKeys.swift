/// The JSON keys of the kept columns, as raw buffers in one allocation.
///
/// Every line compares its keys with these; as arrays on the session they were retained and
/// released four times a line, a fifth of the JSONL parse. The buffers are trivial values the
/// session and its workers copy freely; this object, shared by them, keeps the bytes alive.
final class JSONKeys: @unchecked Sendable {
  let loss: UnsafeBufferPointer<UInt8>
  /// Empty when the column is not kept.
  let step: UnsafeBufferPointer<UInt8>
  let gradNorm: UnsafeBufferPointer<UInt8>
  let learningRate: UnsafeBufferPointer<UInt8>
  private let storage: UnsafeMutableBufferPointer<UInt8>

  init(loss: String, step: String?, gradNorm: String?, learningRate: String?) {
    let parts = [loss, step ?? "", gradNorm ?? "", learningRate ?? ""].map { Array($0.utf8) }
    storage = .allocate(capacity: max(1, parts.reduce(0) { $0 + $1.count }))
    var offset = 0
    var views: [UnsafeBufferPointer<UInt8>] = []
    for part in parts {
      let slice = UnsafeMutableBufferPointer(rebasing: storage[offset..<offset + part.count])
      _ = slice.initialize(from: part)
      views.append(UnsafeBufferPointer(slice))
      offset += part.count
    }
    (self.loss, self.step, self.gradNorm, self.learningRate) = (views[0], views[1], views[2], views[3])
  }

  deinit { storage.deallocate() }
}
