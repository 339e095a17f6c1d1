import Data
import Foundation
import RunConfig

/// What a run needs from its `init_from` before it starts: the model section, and for
/// pre-training, the tokenizer in data.dir so that the shards are tokenized with it.
extension PretrainedWeights {
    /// `--set model.…` overrides that give a config the model of the `init_from` at `key`
    /// ("training.init_from" or "finetune.init_from") in the config file or `overrides`, to apply
    /// before the user's own overrides so that checks which involve the model see the model that
    /// will be trained. Empty when there is no init_from; throws when it cannot be opened.
    public static func modelOverrides(configPath: String, overrides: [String], key: String) throws -> [String] {
        let parts = key.split(separator: ".").map(String.init)
        var path: String? = nil
        if let data = FileManager.default.contents(atPath: configPath),
           let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
           let section = object[parts[0]] as? [String: Any] {
            path = section[parts[1]] as? String
        }
        for o in overrides where o.hasPrefix(key + "=") { path = String(o.dropFirst(key.count + 1)) }
        guard let path, !path.isEmpty else { return [] }
        do {
            return try open(path).modelOverrides
        } catch {
            throw TrainingError("\(key): \(error)")
        }
    }

    /// Copies vocab.json and merges.txt into `dataDirectory` (created if needed), so that data
    /// preparation tokenizes the corpus with them; a data directory that already holds other
    /// tokenizer files is an error, since its shards were made with those.
    public func installTokenizer(into dataDirectory: URL) throws {
        try FileManager.default.createDirectory(at: dataDirectory, withIntermediateDirectories: true)
        for name in [BPETokenizer.vocabFileName, BPETokenizer.mergesFileName] {
            let source = tokenizerDirectory.appendingPathComponent(name), target = dataDirectory.appendingPathComponent(name)
            let wanted = try Data(contentsOf: source)
            if let present = FileManager.default.contents(atPath: target.path) {
                guard present == wanted else {
                    throw TrainingError("\(target.path) is another tokenizer than init_from's (\(source.path)); the shards in \(dataDirectory.path) were made with it: set data.dir to a new directory")
                }
                continue
            }
            try wanted.write(to: target, options: .atomic)
        }
    }
}
