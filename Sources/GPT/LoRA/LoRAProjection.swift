/// A projection that LoRA can adapt, named as transformers names its module inside a block:
/// GPT-2's (`transformer.h.N.attn.c_attn`, ...; Conv1D, weight (in, out)) and Llama's
/// (`model.layers.N.self_attn.q_proj`, ...; nn.Linear, weight (out, in)). Whatever the base's
/// storage, the adapter's matrices are nn.Linear-shaped as PEFT's: A (r, in), B (out, r).
public enum LoRAProjection: Int, CaseIterable, Sendable, Comparable {
    /// GPT-2's fused query, key and value projection, C → 3C.
    case attnQKV
    /// GPT-2's attention output projection, C → C.
    case attnProj
    /// GPT-2's MLP expansion, C → 4C.
    case fc
    /// GPT-2's MLP output projection, 4C → C.
    case mlpProj
    /// Llama's query, key and value projections, C → C each (no grouped heads: n_kv_heads = n_head).
    case q, k, v
    /// Llama's attention output projection, C → C.
    case o
    /// Llama's SwiGLU gate and up projections, C → I each.
    case gate, up
    /// Llama's MLP output projection, I → C.
    case down

    /// The model family whose blocks hold this projection.
    public var family: ModelFamily {
        switch self {
        case .attnQKV, .attnProj, .fc, .mlpProj: .gpt2
        case .q, .k, .v, .o, .gate, .up, .down: .llama
        }
    }

    /// The module's name inside a block, as in PEFT's saved names (`attn.c_attn`, `self_attn.q_proj`).
    public var moduleName: String {
        switch self {
        case .attnQKV: "attn.c_attn"
        case .attnProj: "attn.c_proj"
        case .fc: "mlp.c_fc"
        case .mlpProj: "mlp.c_proj"
        case .q: "self_attn.q_proj"
        case .k: "self_attn.k_proj"
        case .v: "self_attn.v_proj"
        case .o: "self_attn.o_proj"
        case .gate: "mlp.gate_proj"
        case .up: "mlp.up_proj"
        case .down: "mlp.down_proj"
        }
    }

    /// The module's path in the transformers model of block `layer` (`model.layers.0.self_attn.q_proj`).
    public func modulePath(layer: Int) -> String {
        switch family {
        case .gpt2: "transformer.h.\(layer).\(moduleName)"
        case .llama: "model.layers.\(layer).\(moduleName)"
        }
    }

    /// Its weight's name in our parameter layout (GPT-2's names there lack `transformer.`).
    public func weightName(layer: Int) -> String {
        switch family {
        case .gpt2: "h.\(layer).\(moduleName).weight"
        case .llama: "model.layers.\(layer).\(moduleName).weight"
        }
    }

    /// (in, out) features in a model of `config`.
    public func features(_ config: GPTConfig) -> (input: Int, output: Int) {
        let C = config.nEmbd, I = config.resolvedIntermediateSize
        switch self {
        case .attnQKV: return (C, 3 * C)
        case .attnProj, .q, .k, .v, .o: return (C, C)
        case .fc: return (C, 4 * C)
        case .mlpProj: return (4 * C, C)
        case .gate, .up: return (C, I)
        case .down: return (I, C)
        }
    }

    /// Where its outputs sit in the rows the trunk hands the adapter: the first column and the
    /// row width. Llama's q, k, v share the packed (B·T, 3C) rows of one sgemm, gate and up the
    /// (B·T, 2I) rows; every other projection owns its rows.
    public func outputColumns(_ config: GPTConfig) -> (first: Int, width: Int) {
        let C = config.nEmbd, I = config.resolvedIntermediateSize
        switch self {
        case .q: return (0, 3 * C)
        case .k: return (C, 3 * C)
        case .v: return (2 * C, 3 * C)
        case .gate: return (0, 2 * I)
        case .up: return (I, 2 * I)
        default: return (0, features(config).output)
        }
    }

    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }

    /// The target names to suggest for `family`: PEFT's short names (and, for GPT-2, the two
    /// qualified names that tell the projections called `c_proj` apart).
    public static func targetNames(_ family: ModelFamily) -> [String] {
        switch family {
        case .gpt2: ["c_attn", "c_proj", "c_fc", "attn.c_proj", "mlp.c_proj"]
        case .llama: ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]
        }
    }

    /// The targets when `finetune.lora_targets` names none: PEFT's default for the family's
    /// transformers class (TRANSFORMERS_MODELS_TO_LORA_TARGET_MODULES_MAPPING: GPT-2 c_attn,
    /// Llama and Qwen3 q_proj, v_proj). The one place the default is decided.
    public static func defaultTargets(_ family: ModelFamily) -> [String] {
        switch family {
        case .gpt2: ["c_attn"]
        case .llama: ["q_proj", "v_proj"]
        }
    }

    /// The projections of `family` that `target` selects as PEFT matches a target to module
    /// names (the name, or a suffix after a dot): "c_proj" selects both attn.c_proj and
    /// mlp.c_proj, "q_proj" and "self_attn.q_proj" Llama's q. Empty when none.
    public static func matching(_ target: String, family: ModelFamily) -> [LoRAProjection] {
        allCases.filter { $0.family == family && ($0.moduleName == target || $0.moduleName.hasSuffix("." + target)) }
    }

    /// Human name of a family in messages ("GPT-2", "Llama").
    public static func familyName(_ family: ModelFamily) -> String {
        switch family {
        case .gpt2: "GPT-2"
        case .llama: "Llama"
        }
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

    /// The adapted projections of a `family` model, in block order; unknown names select nothing.
    public func projections(_ family: ModelFamily) -> [LoRAProjection] {
        Array(Set(targets.flatMap { LoRAProjection.matching($0, family: family) })).sorted()
    }

    /// The targets that select no projection of `family`.
    public func unknownTargets(_ family: ModelFamily) -> [String] {
        targets.filter { LoRAProjection.matching($0, family: family).isEmpty }
    }
}

extension ParameterLayout {
    /// The base weight of `projection` in block `layer`: its offset and how it is stored
    /// (GPT-2's Conv1D (in, out), Llama's nn.Linear (out, in)).
    public func projectionWeight(layer: Int, _ projection: LoRAProjection) -> (offset: Int, storage: MatrixLayout) {
        guard let t = tensor(named: projection.weightName(layer: layer)), let storage = t.matrixLayout else {
            preconditionFailure("no \(projection.moduleName) in block \(layer) of this layout")
        }
        return (t.offset, storage)
    }
}
