import GPT

extension MemoryRequirement {
    /// Bytes Muon adds for `model`: its momentum and its packed updates (one float each per hidden
    /// matrix element) and the Newton–Schulz scratch, two buffers of the largest matrix and two
    /// min(rows, columns)² ones (GPT/Muon.swift); nil when the count overflows or the layout
    /// cannot be built. Call only once the parameter count is known to fit.
    static func muonBytes(model: GPTConfig) -> Int? {
        guard model.nHead > 0, model.nEmbd % model.nHead == 0 else { return nil }
        let matrices = ParameterLayout(config: model).muonMatrices
        let elements = matrices.reduce(0) { $0 + $1.count }
        let largest = matrices.map(\.count).max() ?? 0
        let square = matrices.map { min($0.rows, $0.columns) * min($0.rows, $0.columns) }.max() ?? 0
        return CheckedSize.sum([elements, largest, square]).flatMap { CheckedSize.product([$0, 2 * MemoryLayout<Float>.size]) }
    }
}
