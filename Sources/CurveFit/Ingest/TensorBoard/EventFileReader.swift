import Foundation

/// Reads TensorBoard event files (`events.out.tfevents.*`): TFRecord framing checked with masked
/// CRC-32C, `Event` messages, and scalar summaries by tag, whether written as `simple_value`
/// (TF1, tensorboardX, PyTorch's SummaryWriter) or as a one-element tensor (TF2's scalar plugin).
///
/// Tags play the part of columns: the training loss is picked by the usual aliases (`loss`,
/// `train/loss`, `total_loss`, …), the learning rate and gradient norm beside it; `--metric`
/// names tags for one series each.
struct EventFileReader {
  let selection: ColumnSelection
  let request: SeriesRequest

  /// A first record whose length checksum holds: no text log starts like that by chance.
  static func looksLikeEventFile(_ head: [UInt8]) -> Bool {
    guard head.count >= 12 else { return false }
    return head.withUnsafeBytes { raw in
      let stored = raw.loadUnaligned(fromByteOffset: 8, as: UInt32.self).littleEndian
      return CRC32C.masked(UnsafeRawBufferPointer(rebasing: raw[0..<8])) == stored
    }
  }

  /// Scalars of one tag in file order.
  struct TagSeries {
    var steps: [Double] = []
    var values: [Double] = []
  }

  func read(_ bytes: [UInt8], source: String) throws(IngestError) -> [NamedSeries] {
    let (tags, order, records) = try scalars(bytes, source: source)
    guard !order.isEmpty else {
      throw .cannotOpen(source: source, reason: "a TensorBoard event file with no scalar summaries (\(records) records)")
    }
    let names: [String]
    if request.metrics.isEmpty {
      names = [order[try selection.resolve(columns: order, source: source, heldOut: true).loss]]
    } else {
      for metric in request.metrics where tags[metric] == nil {
        throw .noSuchColumn(source: source, flag: "--metric", name: metric, columns: order)
      }
      names = request.metrics
    }
    let aside = try? ColumnSelection(
      lossColumn: names[0], learningRateColumn: selection.learningRateColumn
    ).resolve(columns: order, source: source)
    let rateTag = aside?.learningRate.map { order[$0] }
    let gradTag = aside?.gradNorm.map { order[$0] }
    return names.map { name in
      let tag = tags[name]!
      var origin = SeriesOrigin(
        source: source, format: "tensorboard", stepColumn: "step", lossColumn: name, columns: order)
      origin.rowsRead = records
      origin.learningRateColumn = rateTag
      origin.gradNormColumn = gradTag
      return NamedSeries(
        name: name,
        series: LossSeries(
          steps: tag.steps, losses: tag.values, gradNorms: gradTag.map { aligned(tags[$0]!, to: tag) },
          learningRates: rateTag.map { aligned(tags[$0]!, to: tag) }, origin: origin))
    }
  }

  /// `other`'s values at `base`'s steps (the last logged for a step), NaN where it has none.
  private func aligned(_ other: TagSeries, to base: TagSeries) -> [Double] {
    var byStep: [Double: Double] = [:]
    for (step, value) in zip(other.steps, other.values) { byStep[step] = value }
    return base.steps.map { byStep[$0] ?? .nan }
  }

  // MARK: - Records

  /// Every scalar by tag, the tags in order of first appearance, and the record count.
  private func scalars(_ bytes: [UInt8], source: String) throws(IngestError) -> ([String: TagSeries], [String], Int) {
    var tags: [String: TagSeries] = [:]
    var order: [String] = []
    var records = 0
    let result: IngestError? = bytes.withUnsafeBytes { raw -> IngestError? in
      var offset = 0
      while offset < raw.count {
        let left = raw.count - offset
        guard left >= 12 else {
          return .corruptRecord(source: source, offset: offset, reason: "truncated: a record header needs 12 bytes, \(left) left")
        }
        let header = UnsafeRawBufferPointer(rebasing: raw[offset..<(offset + 8)])
        let length = raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self).littleEndian
        guard CRC32C.masked(header) == raw.loadUnaligned(fromByteOffset: offset + 8, as: UInt32.self).littleEndian else {
          return .corruptRecord(source: source, offset: offset, reason: "the length's CRC does not match (corrupted header)")
        }
        // A live run's file can end 12–15 bytes into a record: no room for even the data CRC.
        guard left >= 16, length <= UInt64(left - 16) else {
          return .corruptRecord(
            source: source, offset: offset, reason: "truncated: the record needs \(length) data bytes and its CRC, \(left - 12) left")
        }
        let start = offset + 12
        let end = start + Int(length)
        let data = UnsafeRawBufferPointer(rebasing: raw[start..<end])
        guard CRC32C.masked(data) == raw.loadUnaligned(fromByteOffset: end, as: UInt32.self).littleEndian else {
          return .corruptRecord(source: source, offset: offset, reason: "the data's CRC does not match (corrupted record)")
        }
        do throws(ProtobufReader.Malformed) {
          try event(raw, start..<end) { tag, step, value in
            if tags[tag] == nil { order.append(tag) }
            tags[tag, default: TagSeries()].steps.append(step)
            tags[tag, default: TagSeries()].values.append(value)
          }
        } catch {
          return .corruptRecord(source: source, offset: offset, reason: "not a TensorBoard Event: \(error.reason)")
        }
        records += 1
        offset = end + 4
      }
      return nil
    }
    if let result { throw result }
    return (tags, order, records)
  }

  /// Calls `body` with each scalar of one `Event` record.
  private func event(
    _ raw: UnsafeRawBufferPointer, _ range: Range<Int>, _ body: (String, Double, Double) -> Void
  ) throws(ProtobufReader.Malformed) {
    var reader = ProtobufReader(raw, range: range)
    var step = 0.0
    var summaries: [Range<Int>] = []
    while let (number, field) = try reader.next() {
      switch (number, field) {
      case (2, .varint(let value)): step = Double(Int64(bitPattern: value))
      case (5, .bytes(let summary)): summaries.append(summary)
      default: break
      }
    }
    for summary in summaries {
      var values = ProtobufReader(raw, range: summary)
      while let (number, field) = try values.next() {
        guard number == 1, case .bytes(let value) = field else { continue }
        if let (tag, scalar) = try self.value(raw, value), scalar.isFinite || scalar.isNaN {
          body(tag, step, scalar)
        }
      }
    }
  }

  /// `(tag, value)` of a `Summary.Value` holding a scalar; `nil` for images, histograms, text.
  private func value(_ raw: UnsafeRawBufferPointer, _ range: Range<Int>) throws(ProtobufReader.Malformed) -> (String, Double)? {
    var reader = ProtobufReader(raw, range: range)
    var tag: String?
    var simple: Double?
    var tensor: Range<Int>?
    var plugin: String?
    while let (number, field) = try reader.next() {
      switch (number, field) {
      case (1, .bytes(let text)): tag = String(decoding: UnsafeRawBufferPointer(rebasing: raw[text]), as: UTF8.self)
      case (2, .fixed32(let bits)): simple = Double(Float(bitPattern: bits))
      case (8, .bytes(let proto)): tensor = proto
      case (9, .bytes(let metadata)): plugin = try pluginName(raw, metadata)
      default: break
      }
    }
    guard let tag else { return nil }
    if let simple { return (tag, simple) }
    guard let tensor, plugin == nil || plugin == "scalars" else { return nil }
    return try scalar(raw, tensor).map { (tag, $0) }
  }

  private func pluginName(_ raw: UnsafeRawBufferPointer, _ range: Range<Int>) throws(ProtobufReader.Malformed) -> String? {
    var reader = ProtobufReader(raw, range: range)
    while let (number, field) = try reader.next() {
      guard number == 1, case .bytes(let data) = field else { continue }
      var inner = ProtobufReader(raw, range: data)
      while let (innerNumber, innerField) = try inner.next() {
        if innerNumber == 1, case .bytes(let name) = innerField {
          return String(decoding: UnsafeRawBufferPointer(rebasing: raw[name]), as: UTF8.self)
        }
      }
    }
    return nil
  }

  /// The value of a one-element numeric `TensorProto`; `nil` for anything else.
  private func scalar(_ raw: UnsafeRawBufferPointer, _ range: Range<Int>) throws(ProtobufReader.Malformed) -> Double? {
    var reader = ProtobufReader(raw, range: range)
    var dtype: UInt64 = 0
    var values: [Double] = []
    var content: Range<Int>?
    while let (number, field) = try reader.next() {
      switch (number, field) {
      case (1, .varint(let value)): dtype = value
      case (4, .bytes(let bytes)): content = bytes
      case (5, .fixed32(let bits)): values.append(Double(Float(bitPattern: bits)))
      case (5, .bytes(let packed)):
        for k in stride(from: packed.lowerBound, to: packed.upperBound - 3, by: 4) {
          values.append(Double(Float(bitPattern: raw.loadUnaligned(fromByteOffset: k, as: UInt32.self).littleEndian)))
        }
      case (6, .fixed64(let bits)): values.append(Double(bitPattern: bits))
      case (6, .bytes(let packed)):
        for k in stride(from: packed.lowerBound, to: packed.upperBound - 7, by: 8) {
          values.append(Double(bitPattern: raw.loadUnaligned(fromByteOffset: k, as: UInt64.self).littleEndian))
        }
      case (7, .varint(let value)), (10, .varint(let value)): values.append(Double(Int64(bitPattern: value)))
      case (13, .varint(let value)): values.append(Self.half(UInt16(truncatingIfNeeded: value)))
      case (7, .bytes(let packed)), (10, .bytes(let packed)), (13, .bytes(let packed)):
        var inner = ProtobufReader(raw, range: packed)
        while let value = try inner.packedVarint() {
          values.append(number == 13 ? Self.half(UInt16(truncatingIfNeeded: value)) : Double(Int64(bitPattern: value)))
        }
      default: break
      }
    }
    if let content, values.isEmpty {
      let count = content.count
      switch dtype {
      case 1 where count == 4: values.append(Double(Float(bitPattern: raw.loadUnaligned(fromByteOffset: content.lowerBound, as: UInt32.self).littleEndian)))
      case 2 where count == 8: values.append(Double(bitPattern: raw.loadUnaligned(fromByteOffset: content.lowerBound, as: UInt64.self).littleEndian))
      case 3 where count == 4: values.append(Double(Int32(bitPattern: raw.loadUnaligned(fromByteOffset: content.lowerBound, as: UInt32.self).littleEndian)))
      case 9 where count == 8: values.append(Double(Int64(bitPattern: raw.loadUnaligned(fromByteOffset: content.lowerBound, as: UInt64.self).littleEndian)))
      case 19 where count == 2: values.append(Self.half(raw.loadUnaligned(fromByteOffset: content.lowerBound, as: UInt16.self).littleEndian))
      default: return nil
      }
    }
    return values.count == 1 ? values[0] : nil
  }

  /// IEEE half precision to double.
  static func half(_ bits: UInt16) -> Double {
    let sign = bits & 0x8000 == 0 ? 1.0 : -1.0
    let exponent = Int((bits >> 10) & 0x1F)
    let fraction = Double(bits & 0x3FF)
    switch exponent {
    case 0: return sign * fraction * 0x1p-24
    case 31: return fraction == 0 ? sign * .infinity : .nan
    default: return sign * (1 + fraction / 1024) * Foundation.pow(2, Double(exponent - 15))
    }
  }
}
