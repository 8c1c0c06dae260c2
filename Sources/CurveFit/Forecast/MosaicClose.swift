import Foundation

/// Ultralytics YOLO's mosaic augmentation turned off for the last epochs of its run, still
/// ahead of the log: the training losses will fall at once there, which no curve of the epochs
/// so far shows.
///
/// `close_mosaic` is 10 by default (YOLOv8 on). Three `results.csv` files read outside
/// `../shared` fell at that epoch by ×0.51, ×0.82 and ×0.93 (box loss) and ×0.62, ×0.65 and
/// ×0.86 (class loss) — medians of five epochs either side — while their validation losses did
/// not move. Cut at half, a drone detector's box loss was projected to 0.291 (0.213–0.350) at
/// its planned end and ended at 0.116. The projection stays the curve's; the bottom of the band
/// of every row from the close on is halved (`bandFloor95`), the largest fall seen, and the
/// report says why.
public struct MosaicClose: Sendable, Equatable {
  /// The epoch after which the bands open: the planned end less the close's 10 epochs and
  /// `slack`.
  public var epoch: Double
  /// The planned last epoch it is counted back from.
  public var plannedEnd: Double

  /// Ultralytics' default `close_mosaic`.
  static let epochs = 10.0
  /// The planned end read from a decaying rate is known to a couple of epochs; the band opens
  /// from this much earlier.
  static let slack = 2.0
  /// What the bottoms of the 95% and 80% bands are multiplied by.
  static let bandFloor95 = 0.5
  static let bandFloor80 = 0.6

  /// The close still ahead of a YOLOv8-or-later `results.csv` training loss (a `train/` column
  /// beside `train/dfl_loss`, by epoch) whose planned end is known; `nil` otherwise.
  static func ahead(_ series: LossSeries, lastStep: Double, plannedEnd: Double?) -> MosaicClose? {
    let origin = series.origin
    let columns = Set(origin.columns.map { $0.trimmingCharacters(in: .whitespaces).lowercased() })
    guard let plannedEnd, plannedEnd > 2 * epochs, columns.contains("train/dfl_loss"),
      origin.lossColumn.trimmingCharacters(in: .whitespaces).lowercased().hasPrefix("train/"),
      origin.axis == .epochs
    else { return nil }
    let close = plannedEnd - epochs - slack
    guard lastStep < close else { return nil }
    return MosaicClose(epoch: close, plannedEnd: plannedEnd)
  }

  /// Lowers the bottoms of `estimate`'s bands by `bandFloor95` / `bandFloor80`: the close
  /// multiplies whatever loss the run reaches by up to that much.
  func open(_ estimate: inout Estimate) -> Bool {
    guard estimate.value > 0 else { return false }
    var changed = false
    if let band = estimate.ci95, band.lowerBound > 0 {
      estimate.ci95 = Self.bandFloor95 * band.lowerBound...band.upperBound
      changed = true
    }
    if let band = estimate.ci80, band.lowerBound > 0 {
      estimate.ci80 = Self.bandFloor80 * band.lowerBound...band.upperBound
      changed = true
    }
    return changed
  }

  /// The PROJECTION warning.
  func note(axis: StepAxis) -> String {
    "Ultralytics YOLO turns mosaic augmentation off for the last \(Int(Self.epochs)) epochs by default (close_mosaic): "
      + "the training losses then fall at once, by up to half on runs read, which no curve of the epochs so far shows; "
      + "the bands from \(axis.at(epoch.rounded(.down))) reach down to half their bottom "
      + "(the val/ losses do not step: --loss-col val/box_loss)"
  }
}
