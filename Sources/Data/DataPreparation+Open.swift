import Foundation

extension DataPreparation {
    /// Opens a data directory as it is: one this program prepared (prepared.json lists its shards),
    /// or one of llm.c's shards (`*train*.bin`, `*val*.bin`) with GPT-2-format vocab.json and
    /// merges.txt. Every shard's header and tokens are checked against `vocabSize`; `progress` hears how fast.
    public static func open(directory: URL, vocabSize: Int, reused: Bool = true, progress: PreparationProgress = .silent) throws -> PreparedData {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw DataError("data directory \(directory.path) does not exist; set data.corpus to the text to prepare, or data.dir to a folder of prepared or llm.c shards")
        }
        return try open(directory: directory, vocabSize: vocabSize, reused: reused, progress: progress, manifest: ManifestFile.read(in: directory))
    }

    /// As `open(directory:vocabSize:reused:progress:)`, with prepared.json already read (nil: there is none).
    static func open(directory: URL, vocabSize: Int, reused: Bool, progress: PreparationProgress, manifest file: ManifestFile?) throws -> PreparedData {
        let haveManifest = file != nil
        let tokenizer: BPETokenizer
        do {
            tokenizer = try BPETokenizer.load(from: directory)
        } catch let error as DataError where !haveManifest && !FileManager.default.fileExists(atPath: directory.appendingPathComponent(BPETokenizer.vocabFileName).path) {
            throw DataError("\(directory.path) has no vocab.json and merges.txt; llm.c's shards are GPT-2 tokens: copy GPT-2's vocab.json and merges.txt there (e.g. from huggingface.co/gpt2) and set model.vocab_size to 50257 (\(error.message))")
        }
        guard tokenizer.vocabSize == vocabSize else {
            throw DataError("\(directory.path) holds a tokenizer of \(tokenizer.vocabSize) tokens but model.vocab_size is \(vocabSize); set model.vocab_size to \(tokenizer.vocabSize)")
        }
        let started = Date()
        let train = try TokenDataset(directory: directory, split: "train", vocabSize: vocabSize, manifest: file)
        let val = try TokenDataset(directory: directory, split: "val", vocabSize: vocabSize, manifest: file)
        let seconds = Date().timeIntervalSince(started)
        let megabytes = Double(2 * (train.count + val.count)) / 1e6
        progress.note(String(format: "checked %d shards (%.1f MB of tokens) against the vocabulary of %d in %.2f s (%.0f MB/s)",
                             train.shards.count + val.shards.count, megabytes, vocabSize, seconds, megabytes / max(seconds, 1e-6)))
        return PreparedData(directory: directory, tokenizer: tokenizer, manifest: file?.manifest, manifestBytes: file?.bytes, train: train, val: val, reused: reused)
    }

    /// Whether `directory` holds data that `open` can use without a corpus: a prepared.json, or llm.c shards.
    public static func hasData(in directory: URL) -> Bool {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.contains(manifestFileName) || names.contains { $0.hasSuffix(".bin") && !$0.hasPrefix(".") && $0.dropLast(4).split { !$0.isLetter }.contains("train") }
    }
}
