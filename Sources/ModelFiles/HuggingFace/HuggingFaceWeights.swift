import Checkpoints
import Foundation
import GPT
import RunConfig

/// Reads GPT-2 weights from a model.safetensors written by this trainer or by Hugging Face
/// transformers: names with or without the `transformer.` prefix, F32, F16 or BF16 elements,
/// attention-mask buffers ignored and `lm_head.weight` accepted only when it equals `wte.weight`.
enum HuggingFaceWeights {
    /// Buffers transformers may save that hold no weights (the causal mask).
    static let ignoredSuffixes = [".attn.bias", ".attn.masked_bias"]
    /// The prefix GPT2LMHeadModel and GPT2ForSequenceClassification put before the transformer's tensors.
    static let prefix = "transformer."
    /// The classification head's tensor (GPT2ForSequenceClassification).
    static let scoreName = "score.weight"

    /// Copies every tensor of `layout` from `file` into `parameters`, checking shapes.
    static func load(_ file: SafetensorsFile, layout: ParameterLayout, into parameters: UnsafeMutableBufferPointer<Float>) throws {
        let names = Set(file.names)
        for t in layout.tensors {
            let name = names.contains(t.name) ? t.name : prefix + t.name
            try copy(file, name: name, shape: t.shape, into: UnsafeMutableBufferPointer(rebasing: parameters[t.range]))
        }
    }

    /// Checks that `file` holds nothing that would be dropped silently: only the layout's tensors,
    /// the mask buffers, `score.weight` (a classifier, loaded separately or unused) and an
    /// `lm_head.weight` equal to `wte.weight` (tied).
    static func checkExtras(_ file: SafetensorsFile, layout: ParameterLayout) throws {
        let known = Set(layout.tensors.flatMap { [$0.name, prefix + $0.name] } + [scoreName])
        for name in file.names where !known.contains(name) && !ignoredSuffixes.contains(where: { name.hasSuffix($0) }) {
            // A tied head is the token embedding: GPT-2's wte, the Llama family's embed_tokens.
            guard name == "lm_head.weight", let wte = layout.tensor(named: "wte.weight") ?? layout.tensor(named: "model.embed_tokens.weight") else {
                throw TrainingError("\(file.url.path): tensor \(name) is not part of the model config.json describes; \(HuggingFaceConfig.supported)")
            }
            var head = [Float](repeating: 0, count: wte.count), embedding = head
            let wteName = file.names.contains(wte.name) ? wte.name : prefix + wte.name
            try head.withUnsafeMutableBufferPointer { try copy(file, name: name, shape: wte.shape, into: $0) }
            try embedding.withUnsafeMutableBufferPointer { try copy(file, name: wteName, shape: wte.shape, into: $0) }
            guard head == embedding else {
                throw TrainingError("\(file.url.path): lm_head.weight differs from \(wte.name) though config.json ties them; \(HuggingFaceConfig.supported)")
            }
        }
    }

    /// Copies tensor `name` of `shape` into `destination`, converting F16 and BF16 to F32.
    static func copy(_ file: SafetensorsFile, name: String, shape: [Int], into destination: UnsafeMutableBufferPointer<Float>) throws {
        let entry = try file.entry(named: name)
        guard entry.dtype == .f16 || entry.dtype == .bf16 else {
            try file.copyFloats(named: name, shape: shape, into: destination)
            return
        }
        guard entry.shape == shape, entry.elementCount == destination.count else {
            throw TrainingError("\(file.url.path): tensor \(name) has shape \(entry.shape), expected \(shape); config.json does not describe these weights")
        }
        try file.withBytes(of: name) { raw in
            for i in 0..<destination.count {
                let bits = UInt16(raw[2 * i]) | UInt16(raw[2 * i + 1]) << 8
                destination[i] = entry.dtype == .bf16 ? Float(bitPattern: UInt32(bits) << 16) : halfToFloat(bits)
            }
        }
    }

    /// IEEE 754 binary16 to binary32, subnormals, infinities and NaN included.
    static func halfToFloat(_ h: UInt16) -> Float {
        let sign: Float = h & 0x8000 != 0 ? -1 : 1
        let exponent = Int((h >> 10) & 0x1F), fraction = Float(h & 0x3FF)
        switch exponent {
        case 0: return sign * fraction * 0x1p-24
        case 31: return fraction == 0 ? sign * .infinity : .nan
        default: return sign * (1 + fraction / 1024) * Float(sign: .plus, exponent: exponent - 15, significand: 1)
        }
    }
}
