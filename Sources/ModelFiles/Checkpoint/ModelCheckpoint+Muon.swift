import Checkpoints
import Foundation
import GPT
import RunConfig

/// optimizer.safetensors under `training.optimizer` "muon", named as torch's state_dict names
/// them: `exp_avg.` and `exp_avg_sq.` of each tensor AdamW updates, `momentum_buffer.` of each
/// matrix Muon updates (its stored shape), metadata optimizer "Muon+AdamW".
extension ModelCheckpoint {
    /// The `optimizer` metadata of a Muon checkpoint (an AdamW one says "AdamW").
    public static let muonOptimizerName = "Muon+AdamW"

    /// Writes the AdamW moments of the tensors Muon does not take and Muon's momentum to `url`.
    static func writeMuonOptimizer(layout: ParameterLayout, optimizer: AdamW, muon: Muon, to url: URL) throws {
        let taken = Set(muon.matrices.map(\.range))
        let adam = layout.tensors.filter { !taken.contains($0.range) }
        func moments(_ buffer: UnsafeMutableBufferPointer<Float>, _ prefix: String) -> [SafetensorsTensor] {
            adam.map { t in
                SafetensorsTensor(name: prefix + t.name, dtype: .f32, shape: t.shape,
                                  borrowing: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: buffer[t.range])))
            }
        }
        let momentum = zip(muon.matrices, momentumRanges(muon)).map { matrix, range in
            SafetensorsTensor(name: "momentum_buffer." + matrix.name, dtype: .f32, shape: [matrix.rows, matrix.columns],
                              borrowing: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: muon.momentumBuffer[range])))
        }
        try Safetensors.write(tensors: moments(optimizer.m, "exp_avg.") + moments(optimizer.v, "exp_avg_sq.") + momentum,
                              metadata: ["optimizer": muonOptimizerName], to: url)
    }

    /// Loads what `writeMuonOptimizer` wrote, checking every name and shape.
    static func loadMuonOptimizer(_ file: SafetensorsFile, layout: ParameterLayout, optimizer: AdamW, muon: Muon) throws {
        let taken = Set(muon.matrices.map(\.range))
        for t in layout.tensors where !taken.contains(t.range) {
            try file.copyFloats(named: "exp_avg." + t.name, shape: t.shape, into: UnsafeMutableBufferPointer(rebasing: optimizer.m[t.range]))
            try file.copyFloats(named: "exp_avg_sq." + t.name, shape: t.shape, into: UnsafeMutableBufferPointer(rebasing: optimizer.v[t.range]))
        }
        for (matrix, range) in zip(muon.matrices, momentumRanges(muon)) {
            try file.copyFloats(named: "momentum_buffer." + matrix.name, shape: [matrix.rows, matrix.columns],
                                into: UnsafeMutableBufferPointer(rebasing: muon.momentumBuffer[range]))
        }
    }

    /// Refuses optimizer state of the other optimizer (the file's metadata says whose it is).
    static func checkOptimizerKind(_ file: SafetensorsFile, muon: Bool) throws {
        let saved = file.metadata["optimizer"] ?? "AdamW"
        let expected = muon ? muonOptimizerName : "AdamW"
        guard saved != expected else { return }
        let setting = saved == muonOptimizerName ? "muon" : "adamw"
        throw TrainingError("\(file.url.path) holds \(saved) optimizer state but this run uses \(expected); resume with --set training.optimizer=\(setting), or start a new checkpoint.dir from these weights (training.init_from) to switch optimizers")
    }

    /// Each Muon matrix's range of `momentumBuffer` (matrices one after another, in order).
    private static func momentumRanges(_ muon: Muon) -> [Range<Int>] {
        var start = 0
        return muon.matrices.map { matrix in
            defer { start += matrix.count }
            return start..<(start + matrix.count)
        }
    }
}
