import Data
import Foundation
import RunConfig

/// What pre-training from `init_from` needs before the data is prepared: its tokenizer in data.dir.
extension PretrainedWeights {
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
