import Foundation

/// The named points of a step and a save at which a deliberate failure (`FaultInjection`) strikes.
/// The hot code calls them and knows nothing of fault kinds; without a fault each does nothing.
public final class FaultHook {
    /// The fault this hook carries out, if any.
    public let fault: FaultInjection?
    private let rank: Int
    /// Set by a `nan` fault for the current step: the next gradient range backward finishes gets a NaN.
    private var pendingNaN = false

    /// A hook for `fault` (nil: none) on `rank`.
    public init(_ fault: FaultInjection?, rank: Int) {
        self.fault = fault
        self.rank = rank
    }

    /// The step is about to run its forward and backward passes: a crash, hang or slow fault
    /// strikes here; a `nan` fault arms for `gradientsFinished`.
    func stepStarts(_ step: Int) {
        guard let fault, !fault.inSave, fault.fires(rank: rank, step: step) else { return }
        if fault.kind == .nan { pendingNaN = true } else { fault.strike() }
    }

    /// Backward has finished `range` of `gradients`, which is about to be summed across ranks: an
    /// armed `nan` fault writes NaN into its first element, so the fault takes the real path (every
    /// rank's sum becomes NaN and every rank skips the update).
    func gradientsFinished(_ range: Range<Int>, of gradients: UnsafeMutableBufferPointer<Float>) {
        guard pendingNaN, !range.isEmpty else { return }
        gradients[range.lowerBound] = .nan
        pendingNaN = false
    }

    /// The files of the checkpoint of `step`, with a save fault set to strike once the last is
    /// written but before the checkpoint is complete.
    func checkpointFiles(_ files: [(name: String, write: (URL) throws -> Void)], step: Int) -> [(name: String, write: (URL) throws -> Void)] {
        guard let fault, fault.inSave, fault.fires(rank: rank, step: step), let last = files.last else { return files }
        return Array(files.dropLast()) + [(last.name, { url in
            try last.write(url)
            fault.strike()
        })]
    }
}
