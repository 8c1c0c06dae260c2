/// A minimal reader of the protocol-buffer wire format: enough to walk TensorBoard's `Event`,
/// `Summary` and `TensorProto` messages without generated code.
struct ProtobufReader {
  enum Field {
    case varint(UInt64)
    case fixed64(UInt64)
    case fixed32(UInt32)
    case bytes(Range<Int>)
  }

  struct Malformed: Error {
    let reason: String
  }

  let bytes: UnsafeRawBufferPointer
  private(set) var position: Int
  let end: Int

  init(_ bytes: UnsafeRawBufferPointer, range: Range<Int>? = nil) {
    self.bytes = bytes
    position = range?.lowerBound ?? 0
    end = range?.upperBound ?? bytes.count
  }

  /// The next `(field number, value)`, or `nil` at the end of the message.
  mutating func next() throws(Malformed) -> (number: Int, field: Field)? {
    guard position < end else { return nil }
    let key = try varint()
    let number = Int(key >> 3)
    guard number > 0 else { throw Malformed(reason: "field number 0") }
    switch key & 7 {
    case 0:
      return (number, .varint(try varint()))
    case 1:
      return (number, .fixed64(try fixed(8)))
    case 5:
      return (number, .fixed32(UInt32(truncatingIfNeeded: try fixed(4))))
    case 2:
      let length = try varint()
      guard length <= UInt64(end - position) else {
        throw Malformed(reason: "a field of \(length) bytes runs past its message")
      }
      let range = position..<(position + Int(length))
      position += Int(length)
      return (number, .bytes(range))
    default:
      throw Malformed(reason: "unsupported wire type \(key & 7)")
    }
  }

  /// The next varint of a packed repeated field (a reader over its bytes), or `nil` at its end.
  mutating func packedVarint() throws(Malformed) -> UInt64? {
    position < end ? try varint() : nil
  }

  private mutating func varint() throws(Malformed) -> UInt64 {
    var value: UInt64 = 0
    var shift: UInt64 = 0
    while position < end {
      let byte = bytes[position]
      position += 1
      value |= UInt64(byte & 0x7F) << shift
      if byte < 0x80 { return value }
      shift += 7
      guard shift < 64 else { throw Malformed(reason: "a varint longer than 10 bytes") }
    }
    throw Malformed(reason: "a varint cut off at the end of its message")
  }

  private mutating func fixed(_ size: Int) throws(Malformed) -> UInt64 {
    guard end - position >= size else { throw Malformed(reason: "a \(size)-byte field cut off") }
    var value: UInt64 = 0
    for k in 0..<size { value |= UInt64(bytes[position + k]) << (8 * UInt64(k)) }
    position += size
    return value
  }
}
