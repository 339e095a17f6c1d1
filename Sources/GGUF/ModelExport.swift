import Foundation

/// What every family's export shares: the general.* keys, the tensors' type choice and
/// rearrangements, and the checks of the source's shapes, as convert_hf_to_gguf.py does them.
public enum ModelExport {
    /// gguf-py's GGML_QUANT_VERSION, written as general.quantization_version.
    static let quantizationVersion: UInt32 = 2

    /// general.architecture, type, name and size_label, the keys a converted file starts with.
    static func start(architecture: String, name: String, parameterCount: Int) -> GGUFFile {
        var file = GGUFFile()
        file.add("general.architecture", .string(architecture))
        file.add("general.type", .string("model"))
        file.add("general.name", .string(name))
        file.add("general.size_label", .string(sizeLabel(parameterCount)))
        return file
    }

    /// general.quantization_version and the tokenizer: the keys a converted file ends with.
    static func finish(_ file: inout GGUFFile, vocabulary: GGUFVocabulary) {
        file.add("general.quantization_version", .uint32(quantizationVersion))
        vocabulary.add(to: &file)
    }

    /// gguf-py's `size_label` for a dense model: "38K", "124M", at least two digits.
    public static func sizeLabel(_ count: Int) -> String {
        let n = Double(count)
        let (scaled, suffix) = n > 1e12 ? (n * 1e-12, "T") : n > 1e9 ? (n * 1e-9, "B") : n > 1e6 ? (n * 1e-6, "M") : (n * 1e-3, "K")
        let digits = String(Int(scaled.rounded(.toNearestOrEven))).drop { $0 == "0" }
        return String(format: "%.\(max(2 - digits.count, 0))f", scaled) + suffix
    }

    /// The type convert_hf_to_gguf.py stores a tensor in: F32 for 1-D tensors, norms and
    /// position embeddings; F16 where Q8_0 was asked for but a row is not whole 32-blocks.
    static func storedType(_ t: MappedTensor, shape: [Int], requested: GGUFTensorType) -> GGUFTensorType {
        if t.keepF32 || shape.count <= 1 || t.target.hasSuffix("_norm.weight") { return .f32 }
        return requested.canStore(rowLength: shape.last ?? 1) ? requested : .f16
    }

    /// Checks every source tensor's shape against `expected` and appends the mapped tensors.
    static func addTensors(_ mapped: [MappedTensor], expected: [String: [Int]], from source: TensorSource,
                           type: GGUFTensorType, to file: inout GGUFFile) throws {
        for t in mapped {
            guard let shape = source.shape(of: t.source) else {
                throw GGUFError("the model has no tensor \(t.source); it is not a complete checkpoint of this family")
            }
            guard shape == expected[t.source] else {
                throw GGUFError("tensor \(t.source) has shape \(shape), expected \(expected[t.source] ?? []); the config does not describe these weights")
            }
            let outShape = { if case .transpose = t.transform { return [shape[1], shape[0]] } else { return shape } }()
            file.tensors.append(GGUFTensor(name: t.target, shape: outShape, type: storedType(t, shape: outShape, requested: type)) {
                let values = try source.values(of: t.source)
                guard values.allSatisfy(\.isFinite) else {
                    throw GGUFError("tensor \(t.source) holds NaN or infinite values; export an earlier checkpoint")
                }
                return transformed(values, shape: shape, by: t.transform)
            })
        }
    }

    /// `values` of `shape` rearranged by `transform`.
    static func transformed(_ values: [Float], shape: [Int], by transform: MappedTensor.Transform) -> [Float] {
        switch transform {
        case .none:
            return values
        case .transpose:
            let rows = shape[0], cols = shape[1]
            var out = [Float](repeating: 0, count: values.count)
            for r in 0..<rows { for c in 0..<cols { out[c * rows + r] = values[r * cols + c] } }
            return out
        case .ropePermute(let heads):
            return LlamaExport.ropePermuted(values, shape: shape, heads: heads)
        }
    }
}
