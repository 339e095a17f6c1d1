#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A LoRA adapter on a GPT-2 or Llama model: for each adapted projection of each block, A (r, in)
/// and B (out, r), and y = base(x) + (alpha/r)·B(A(dropout(x))), as PEFT's `lora.Linear`.
///
/// Its values and gradients are flat buffers of their own (slot after slot, A then B), beside the
/// model's, so the trainer all-reduces and updates only them. Attach it with `GPTModel.lora`.
public final class LoRAAdapter {
    /// One adapted projection of one block, and where its matrices live in `values`.
    public struct Slot: Sendable, Equatable {
        /// The block.
        public let layer: Int
        /// The projection.
        public let projection: LoRAProjection
        /// Input and output features of the projection.
        public let input: Int, output: Int
        /// Offsets of A (r × input) and B (output × r) in `values` and `gradients`.
        public let aOffset: Int, bOffset: Int
        /// Where the outputs sit in the trunk's rows: first column and row width
        /// (`LoRAProjection.outputColumns`; Llama's q, k, v share one packed row).
        public let column: Int, width: Int
    }

    /// Rank, alpha, dropout, targets.
    public let settings: LoRASettings
    /// The family of the model it adapts (which projections the targets name).
    public let family: ModelFamily
    /// The adapted projections of every block, block by block.
    public let slots: [Slot]
    /// A and B of every slot.
    public let values: UnsafeMutableBufferPointer<Float>
    /// Their gradients, same layout; `GPTModel.backward` adds into it.
    public let gradients: UnsafeMutableBufferPointer<Float>
    /// Set for a training micro-batch (dropout on); nil (evaluation, inference) means no dropout.
    public var dropoutKey: LoRADropoutKey? = nil

    let rank: Int
    let maxRows: Int
    /// u = A·dropout(x) of the last forward, (rows, r) per slot, for dB.
    let hidden: UnsafeMutableBufferPointer<Float>
    /// (rows, r): du in backward.
    let dHidden: UnsafeMutableBufferPointer<Float>
    /// (rows, widest input): the dropped-out input, then its gradient.
    let scratch: UnsafeMutableBufferPointer<Float>
    private let slotIndex: [Int: Int]

    /// An adapter for `config` for batches of up to `maxRows` tokens; A and B start at zero.
    public init(settings: LoRASettings, config: GPTConfig, maxRows: Int) {
        precondition(settings.rank > 0 && maxRows > 0, "LoRA needs r > 0")
        self.settings = settings
        family = config.family
        rank = settings.rank
        self.maxRows = maxRows
        var slots: [Slot] = [], next = 0, index: [Int: Int] = [:]
        for l in 0..<config.nLayer {
            for p in settings.projections(config.family) {
                let (i, o) = p.features(config), (column, width) = p.outputColumns(config)
                index[l * LoRAProjection.allCases.count + p.rawValue] = slots.count
                slots.append(Slot(layer: l, projection: p, input: i, output: o, aOffset: next, bOffset: next + rank * i,
                                  column: column, width: width))
                next += rank * (i + o)
            }
        }
        self.slots = slots
        slotIndex = index
        values = .allocate(capacity: next)
        gradients = .allocate(capacity: next)
        hidden = .allocate(capacity: max(1, slots.count * maxRows * rank))
        dHidden = .allocate(capacity: maxRows * rank)
        scratch = .allocate(capacity: maxRows * (slots.map(\.input).max() ?? 1))
        for b in [values, gradients, hidden, dHidden, scratch] { b.initialize(repeating: 0) }
    }

    deinit { for b in [values, gradients, hidden, dHidden, scratch] { b.deallocate() } }

    /// Floats in `values` for these settings on `config` (for the memory requirement).
    public static func parameterCount(settings: LoRASettings, config: GPTConfig) -> Int {
        config.nLayer * settings.projections(config.family).reduce(0) { n, p in
            let (i, o) = p.features(config)
            return n + settings.rank * (i + o)
        }
    }

    /// The slot of `projection` in block `layer`, if adapted.
    public func slot(layer: Int, _ projection: LoRAProjection) -> Int? {
        slotIndex[layer * LoRAProjection.allCases.count + projection.rawValue]
    }

    /// Each tensor's PEFT name without the `base_model.model.` prefix, (rows, columns) shape and range in `values`.
    public var tensors: [(name: String, shape: [Int], range: Range<Int>)] {
        slots.flatMap { s in
            let module = s.projection.modulePath(layer: s.layer)
            return [("\(module).lora_A.weight", [rank, s.input], s.aOffset..<s.aOffset + rank * s.input),
                    ("\(module).lora_B.weight", [s.output, rank], s.bOffset..<s.bOffset + rank * s.output)]
        }
    }

    /// PEFT's `reset_lora_parameters`: A Kaiming-uniform with a = √5, i.e. U(−1/√in, 1/√in), B zero.
    public func initialize<G: RandomNumberGenerator>(using generator: inout G) {
        values.update(repeating: 0)
        for s in slots {
            let bound = 1 / Double(s.input).squareRoot()
            for i in 0..<rank * s.input { values[s.aOffset + i] = Float(Double.random(in: -bound..<bound, using: &generator)) }
        }
    }

    /// Whether this pass drops out the adapter's input.
    var dropping: Bool { dropoutKey != nil && settings.dropout > 0 }
}
