/// A GPT-2 projection that LoRA can adapt, named as Hugging Face's GPT2Model names its modules
/// (`transformer.h.N.attn.c_attn`, ...). GPT-2's projections are Conv1D, whose weight is
/// (in, out); the adapter's matrices are nn.Linear-shaped as PEFT's: A (r, in), B (out, r).
public enum LoRAProjection: Int, CaseIterable, Sendable, Comparable {
    /// The fused query, key and value projection, C → 3C.
    case attnQKV
    /// The attention's output projection, C → C.
    case attnProj
    /// The MLP's expansion, C → 4C.
    case fc
    /// The MLP's output projection, 4C → C.
    case mlpProj

    /// The module's name inside a block, as in PEFT's saved names (`attn.c_attn`).
    public var moduleName: String {
        switch self {
        case .attnQKV: "attn.c_attn"
        case .attnProj: "attn.c_proj"
        case .fc: "mlp.c_fc"
        case .mlpProj: "mlp.c_proj"
        }
    }

    /// (in, out) features for a model of width `channels`.
    public func features(channels C: Int) -> (input: Int, output: Int) {
        switch self {
        case .attnQKV: (C, 3 * C)
        case .attnProj: (C, C)
        case .fc: (C, 4 * C)
        case .mlpProj: (4 * C, C)
        }
    }

    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }

    /// Target names a config may give: PEFT's GPT-2 names (`c_attn`, `c_proj`, `c_fc`) and the
    /// two qualified names that tell the projections called `c_proj` apart.
    public static let targetNames = ["c_attn", "c_proj", "c_fc", "attn.c_proj", "mlp.c_proj"]

    /// The projections `target` selects as PEFT matches a target to module names (the name, or
    /// a suffix after a dot): "c_proj" selects both attn.c_proj and mlp.c_proj. Empty when none.
    public static func matching(_ target: String) -> [LoRAProjection] {
        allCases.filter { $0.moduleName == target || $0.moduleName.hasSuffix("." + target) }
    }
}

/// What a LoRA adapter is: rank, scaling, dropout and the projections it adapts (in every block).
public struct LoRASettings: Sendable, Equatable {
    /// The rank r of A (r, in) and B (out, r).
    public var rank: Int
    /// PEFT's lora_alpha: the update is scaled by alpha / r.
    public var alpha: Double
    /// Probability of zeroing an element of the adapter's input while training.
    public var dropout: Double
    /// Target names as given (kept for adapter_config.json's `target_modules`).
    public var targets: [String]

    public init(rank: Int, alpha: Double, dropout: Double, targets: [String]) {
        self.rank = rank
        self.alpha = alpha
        self.dropout = dropout
        self.targets = targets
    }

    /// The update's scale, alpha / r.
    public var scaling: Float { Float(alpha / Double(rank)) }

    /// The adapted projections, in block order; unknown target names select nothing.
    public var projections: [LoRAProjection] {
        Array(Set(targets.flatMap(LoRAProjection.matching))).sorted()
    }
}

extension ParameterLayout {
    /// Offset of the Conv1D weight (in, out) of `projection` in block `layer` of a GPT-2 layout.
    public func projectionWeightOffset(layer: Int, _ projection: LoRAProjection) -> Int {
        guard let t = tensor(named: "h.\(layer).\(projection.moduleName).weight") else {
            preconditionFailure("no \(projection.moduleName) in block \(layer) of this layout")
        }
        return t.offset
    }
}
