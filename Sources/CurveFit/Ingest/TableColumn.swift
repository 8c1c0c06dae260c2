/// One column a table reader looks for: an explicit name, or the first alias present.
public struct TableColumn: Sendable {
  /// The key the values are returned under.
  public var key: String
  public var explicit: String?
  /// Aliases, compared case-insensitively, most specific first.
  public var aliases: [String]
  /// The flag that names it, for messages.
  public var flag: String
  /// When no alias is present: the first column whose name holds one of these words (a table's
  /// own spelling, `model_params`, `tokens_seen`), none of `unlike` (`tokens_per_param`).
  public var namedLike: [String]
  public var unlike: [String]
  /// True when a name ending in a unit word (`params_b`, `tokens (M)`) scales the values by it.
  public var scalesByName: Bool

  public init(
    key: String, explicit: String?, aliases: [String], flag: String,
    namedLike: [String] = [], unlike: [String] = [], scalesByName: Bool = false
  ) {
    self.key = key
    self.explicit = explicit
    self.aliases = aliases
    self.flag = flag
    self.namedLike = namedLike
    self.unlike = unlike
    self.scalesByName = scalesByName
  }

  /// A size as written by hand: a number, or one with a unit letter (`125M`, `1.3B`, `300b`,
  /// `2T`, `70k`); nil otherwise.
  public static func sizeNumber(_ bytes: [UInt8]) -> Double? { sized(bytes)?.value }

  /// `sizeNumber`, and whether a unit letter gave its scale (a name's unit word then does not).
  static func sized(_ bytes: [UInt8]) -> (value: Double, lettered: Bool)? {
    if let number = bytes.withUnsafeBufferPointer({ FastFloat.parse($0) }) { return (number, false) }
    guard bytes.count >= 2, let last = bytes.last else { return nil }
    let factor: Double
    switch last | 0x20 {
    case UInt8(ascii: "k"): factor = 1e3
    case UInt8(ascii: "m"): factor = 1e6
    case UInt8(ascii: "b"): factor = 1e9
    case UInt8(ascii: "t"): factor = 1e12
    default: return nil
    }
    var digits = Array(bytes.dropLast())
    while digits.last == UInt8(ascii: " ") { digits.removeLast() }
    guard let number = digits.withUnsafeBufferPointer({ FastFloat.parse($0) }), number.isFinite else { return nil }
    return (number * factor, true)
  }

  /// The factor a column name's last word gives its values: billions for `params_b` or
  /// `Tokens (B)`, millions for `_m`, thousands for `_k`, trillions for `_t`; 1 otherwise.
  public static func unitScale(_ name: String) -> Double {
    let words = name.lowercased().split { !$0.isLetter && !$0.isNumber }
    guard words.count >= 2, let last = words.last else { return 1 }
    switch last {
    case "k", "thousand", "thousands": return 1e3
    case "m", "mn", "million", "millions": return 1e6
    case "b", "bn", "billion", "billions": return 1e9
    case "t", "tn", "trillion", "trillions": return 1e12
    default: return 1
    }
  }
}
