import Foundation

/// Units a loss can be shown in. Fits are always done in nats.
///
/// ```
/// bits = nats / ln 2        ppl = e^nats
/// bpb  = bits / bytes per token      bpc = bits / characters per token
/// ```
/// Worked example (tested): 2.0 nats at 4 bytes per token is a perplexity of 7.39, 2.885 bits
/// per token and 0.721 bits per byte.
public enum LossUnit: Sendable, Equatable {
  case nats
  case bits
  case perplexity
  case bitsPerByte(bytesPerToken: Double)
  case bitsPerCharacter(charactersPerToken: Double)

  /// The loss in this unit, from nats.
  public func fromNats(_ nats: Double) -> Double {
    switch self {
    case .nats: nats
    case .bits: nats / Foundation.log(2)
    case .perplexity: Foundation.exp(nats)
    case .bitsPerByte(let bytes): nats / Foundation.log(2) / bytes
    case .bitsPerCharacter(let characters): nats / Foundation.log(2) / characters
    }
  }

  /// Nats from a loss logged in this unit.
  public func toNats(_ value: Double) -> Double {
    switch self {
    case .nats: value
    case .bits: value * Foundation.log(2)
    case .perplexity: Foundation.log(value)
    case .bitsPerByte(let bytes): value * bytes * Foundation.log(2)
    case .bitsPerCharacter(let characters): value * characters * Foundation.log(2)
    }
  }

  /// A short name for reports and JSON.
  public var name: String {
    switch self {
    case .nats: "nats"
    case .bits: "bits"
    case .perplexity: "ppl"
    case .bitsPerByte: "bpb"
    case .bitsPerCharacter: "bpc"
    }
  }

  /// Parses `--units`, needing the bytes or characters per token for bpb and bpc.
  public static func named(
    _ name: String, bytesPerToken: Double?, charactersPerToken: Double?
  ) -> Result<LossUnit, UnitError> {
    switch name {
    case "nats": return .success(.nats)
    case "bits": return .success(.bits)
    case "ppl": return .success(.perplexity)
    case "bpb":
      guard let bytes = bytesPerToken, bytes > 0 else { return .failure(.needs("bpb", "--bytes-per-token")) }
      return .success(.bitsPerByte(bytesPerToken: bytes))
    case "bpc":
      guard let characters = charactersPerToken, characters > 0 else {
        return .failure(.needs("bpc", "--chars-per-token"))
      }
      return .success(.bitsPerCharacter(charactersPerToken: characters))
    default: return .failure(.unknown(name))
    }
  }

  public enum UnitError: Error, CustomStringConvertible, Equatable {
    case unknown(String)
    case needs(String, String)

    public var description: String {
      switch self {
      case .unknown(let name): "unknown unit '\(name)', expected nats, bits, ppl, bpb or bpc"
      case .needs(let unit, let flag): "\(unit) needs \(flag)"
      }
    }
  }
}

extension LossSeries {
  /// The same series with its losses converted to nats from `unit` (`--input-units`).
  /// The series with `note` added to its origin's notes (unchanged when `nil`).
  public func noting(_ note: String?) -> LossSeries {
    guard let note else { return self }
    var noted = self
    noted.origin.notes.append(note)
    return noted
  }

  public func converted(from unit: LossUnit) -> LossSeries {
    guard unit != .nats else { return self }
    // The evaluation loss beside it is in the same unit: compared in nats with the training loss.
    var origin = origin
    origin.heldOutTrend = origin.heldOutTrend.flatMap { $0.converted(unit.toNats) }
    return LossSeries(sortedSteps: steps, losses: losses.map(unit.toNats), gradNorms: gradNorms,
      learningRates: learningRates, origin: origin)
  }
}
