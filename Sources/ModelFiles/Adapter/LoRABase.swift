import Foundation
import RunConfig

/// The base model an adapter was trained on, kept beside the adapter in `lora_base.json`: its
/// path as the run named it and the SHA-256 of its model.safetensors, so that an adapter is
/// applied only onto the weights it was trained with.
public struct LoRABase: Codable, Sendable, Equatable {
    /// The base directory as finetune.init_from named it (resolved to a step directory).
    public var path: String
    /// Hex SHA-256 of the base's model.safetensors.
    public var modelSHA256: String

    enum CodingKeys: String, CodingKey { case path = "base_model", modelSHA256 = "base_model_sha256" }

    public init(path: String, modelSHA256: String) {
        self.path = path
        self.modelSHA256 = modelSHA256
    }

    /// The identity of the model in `directory` (its model.safetensors hashed).
    public init(directory: URL) {
        path = directory.path
        modelSHA256 = FileDigest.sha256(directory.appendingPathComponent("model.safetensors"))
    }

    /// Sorted, indented JSON.
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }

    /// Reads `lora_base.json` of an adapter directory.
    public static func read(_ directory: URL) throws -> LoRABase {
        let url = directory.appendingPathComponent(PEFTAdapter.baseFile)
        guard let bytes = FileManager.default.contents(atPath: url.path),
              let base = try? JSONDecoder().decode(LoRABase.self, from: bytes) else {
            throw TrainingError("\(url.path): missing or unreadable; an adapter trained here keeps its base's identity there (base_model, base_model_sha256)")
        }
        return base
    }

    /// Throws one line unless `self` (the adapter's base) is the model in `directory`.
    public func check(against directory: URL, adapter: URL) throws {
        let theirs = LoRABase(directory: directory)
        guard theirs.modelSHA256 == modelSHA256 else {
            throw TrainingError("\(adapter.path) was trained on \(path) (model.safetensors SHA-256 \(modelSHA256.prefix(12))), not on \(directory.path) (\(theirs.modelSHA256.prefix(12))); apply it to its own base")
        }
    }
}
