import Foundation

/// Turns a text corpus into a tokenizer plus train/val token shards in a data directory, and skips the work when nothing changed.
public enum DataPreparation {
    /// The manifest's file name inside the data directory.
    public static let manifestFileName = "prepared.json"
    /// The most tokens written to one shard (llm.c's convention), well under the format's Int32 count.
    public static let maxShardTokens = 100_000_000

    /// Prepares `directory` from `corpus` (a text file, or a folder whose .txt files are the documents in name order).
    ///
    /// Trains and saves the tokenizer if the directory has none, else loads it; then holds out the last
    /// `valFraction` of each document's tokens for validation, so every document is in both splits and
    /// they share no text; each document's tokens are preceded by `<|endoftext|>`.
    public static func prepare(
        corpus: URL, directory: URL, vocabSize: Int, valFraction: Double, progress: (String) -> Void = { _ in }
    ) throws -> PreparedData {
        guard vocabSize >= 257, vocabSize <= 65536 else {
            throw DataError("vocab size \(vocabSize) is outside 257...65536: it needs 256 byte tokens plus <|endoftext|>, and shards store 16-bit tokens; set model.vocab_size in that range")
        }
        guard valFraction >= 0, valFraction < 1 else {
            throw DataError("val fraction \(valFraction) is outside [0, 1); set data.val_fraction to e.g. 0.1")
        }
        let documents = try readCorpus(corpus)
        var corpusHash = ContentHash()
        for document in documents {
            corpusHash.update(Array(document.name.utf8))
            corpusHash.update(document.bytes.count)
            corpusHash.update(document.bytes)
        }
        let corpusFiles = documents.map { PreparationManifest.CorpusFile(name: $0.name, bytes: $0.bytes.count) }
        let fileManager = FileManager.default
        do {
            try fileManager.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw DataError("cannot create data directory \(directory.path): \(error.localizedDescription); check data.dir and its permissions")
        }

        let tokenizer = try loadOrTrainTokenizer(directory: directory, documents: documents, vocabSize: vocabSize, progress: progress)
        let tokenizerHash = try hashTokenizerFiles(in: directory)

        let manifestURL = directory.appendingPathComponent(manifestFileName)
        if let data = try? Data(contentsOf: manifestURL),
           let old = try? JSONDecoder.snakeCase.decode(PreparationManifest.self, from: data),
           old.formatVersion == PreparationManifest.currentFormat, old.corpusFiles == corpusFiles,
           old.corpusHash == corpusHash.hex, old.vocabSize == vocabSize, old.valFraction == valFraction,
           old.tokenizerHash == tokenizerHash, shardsIntact(old, in: directory) {
            progress("\(directory.path) is up to date (\(old.train.tokens) train, \(old.val.tokens) val tokens); skipping preparation")
            return PreparedData(directory: directory, tokenizer: tokenizer, manifest: old, reused: true)
        }
        // Remove the manifest first: if we are interrupted, the next run sees no manifest and redoes everything.
        try? fileManager.removeItem(at: manifestURL)
        try removeShards(in: directory)

        let byteLengths = (0..<tokenizer.vocabSize).map { tokenizer.bytes(ofToken: Int32($0)).count }
        var train: [UInt16] = []
        var val: [UInt16] = []
        var trainBytes = 0
        var valBytes = 0
        for (index, document) in documents.enumerated() {
            let tokens = tokenizer.encode(bytes: document.bytes)
            let valCount = Int((Double(tokens.count) * valFraction).rounded())
            let cut = tokens.count - valCount
            train.append(UInt16(truncatingIfNeeded: tokenizer.endOfText))
            for token in tokens[..<cut] {
                train.append(UInt16(truncatingIfNeeded: token))
                trainBytes += byteLengths[Int(token)]
            }
            if valCount > 0 {
                val.append(UInt16(truncatingIfNeeded: tokenizer.endOfText))
                for token in tokens[cut...] {
                    val.append(UInt16(truncatingIfNeeded: token))
                    valBytes += byteLengths[Int(token)]
                }
            }
            if (index + 1) % 10 == 0 || index + 1 == documents.count {
                progress("encoded \(index + 1)/\(documents.count) documents")
            }
        }
        let trainShards = try writeShards(train, split: "train", directory: directory)
        let valShards = try writeShards(val, split: "val", directory: directory)
        let manifest = PreparationManifest(
            formatVersion: PreparationManifest.currentFormat, corpusFiles: corpusFiles, corpusHash: corpusHash.hex,
            vocabSize: vocabSize, valFraction: valFraction, tokenizerHash: tokenizerHash, documents: documents.count,
            train: .init(tokens: train.count, bytes: trainBytes, shards: trainShards),
            val: .init(tokens: val.count, bytes: valBytes, shards: valShards))
        do {
            let encoder = JSONEncoder()
            encoder.keyEncodingStrategy = .convertToSnakeCase
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(manifest).write(to: manifestURL, options: .atomic)
        } catch {
            throw DataError("cannot write \(manifestURL.path): \(error.localizedDescription); check free space and permissions")
        }
        progress("wrote \(train.count) train and \(val.count) val tokens to \(directory.path)")
        return PreparedData(directory: directory, tokenizer: tokenizer, manifest: manifest, reused: false)
    }

    /// One corpus document: its name and bytes.
    struct Document {
        var name: String
        var bytes: [UInt8]
    }

    static func readCorpus(_ corpus: URL) throws -> [Document] {
        let fileManager = FileManager.default
        var isDirectory: ObjCBool = false
        guard fileManager.fileExists(atPath: corpus.path, isDirectory: &isDirectory) else {
            throw DataError("corpus \(corpus.path) does not exist; set data.corpus to a text file or a folder of .txt files")
        }
        var files: [(String, URL)] = []
        if isDirectory.boolValue {
            let names: [String]
            do {
                names = try fileManager.contentsOfDirectory(atPath: corpus.path)
            } catch {
                throw DataError("cannot list corpus folder \(corpus.path): \(error.localizedDescription); check its permissions")
            }
            files = names.filter { $0.hasSuffix(".txt") }.sorted().map { ($0, corpus.appendingPathComponent($0)) }
        } else {
            files = [(corpus.lastPathComponent, corpus)]
        }
        var documents: [Document] = []
        for (name, url) in files {
            do {
                documents.append(Document(name: name, bytes: [UInt8](try Data(contentsOf: url))))
            } catch {
                throw DataError("cannot read corpus file \(url.path): \(error.localizedDescription); check that it is a readable file")
            }
        }
        guard documents.contains(where: { !$0.bytes.isEmpty }) else {
            throw DataError("corpus \(corpus.path) is empty (\(files.count) .txt files, no text); point data.corpus at a text file or a folder of non-empty .txt files")
        }
        return documents
    }

    static func loadOrTrainTokenizer(
        directory: URL, documents: [Document], vocabSize: Int, progress: (String) -> Void
    ) throws -> BPETokenizer {
        let vocabURL = directory.appendingPathComponent(BPETokenizer.vocabFileName)
        let mergesURL = directory.appendingPathComponent(BPETokenizer.mergesFileName)
        let fileManager = FileManager.default
        let haveVocab = fileManager.fileExists(atPath: vocabURL.path)
        let haveMerges = fileManager.fileExists(atPath: mergesURL.path)
        if haveVocab != haveMerges {
            let (present, absent) = haveVocab ? (vocabURL, mergesURL) : (mergesURL, vocabURL)
            throw DataError("\(present.path) exists but \(absent.path) does not; delete \(present.path) to retrain the tokenizer, or restore \(absent.lastPathComponent)")
        }
        if haveVocab {
            let tokenizer = try BPETokenizer.load(from: directory)
            guard tokenizer.vocabSize == vocabSize else {
                throw DataError("the tokenizer in \(directory.path) has vocab size \(tokenizer.vocabSize), but \(vocabSize) was asked for; set model.vocab_size to \(tokenizer.vocabSize), or delete \(vocabURL.lastPathComponent) and \(mergesURL.lastPathComponent) there to retrain")
            }
            progress("loaded tokenizer from \(directory.path) (vocab \(vocabSize))")
            return tokenizer
        }
        progress("training tokenizer (vocab \(vocabSize)) on \(documents.count) documents")
        let tokenizer = try BPETrainer.train(documents: documents.map(\.bytes), vocabSize: vocabSize, progress: progress)
        try tokenizer.save(to: directory)
        return tokenizer
    }

    static func hashTokenizerFiles(in directory: URL) throws -> String {
        var hash = ContentHash()
        for name in [BPETokenizer.vocabFileName, BPETokenizer.mergesFileName] {
            let url = directory.appendingPathComponent(name)
            do {
                let data = try Data(contentsOf: url)
                hash.update(data.count)
                hash.update(data)
            } catch {
                throw DataError("cannot read \(url.path): \(error.localizedDescription); re-run `trainer prepare CONFIG`")
            }
        }
        return hash.hex
    }

    static func shardsIntact(_ manifest: PreparationManifest, in directory: URL) -> Bool {
        for split in [manifest.train, manifest.val] {
            var bytes = 0
            for name in split.shards {
                let path = directory.appendingPathComponent(name).path
                guard let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber else { return false }
                bytes += size.intValue
            }
            if bytes != split.shards.count * TokenShard.headerBytes + 2 * split.tokens { return false }
        }
        return true
    }

    static func removeShards(in directory: URL) throws {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        for name in names where (name.hasPrefix("train_") || name.hasPrefix("val_")) && name.hasSuffix(".bin") {
            let url = directory.appendingPathComponent(name)
            do {
                try FileManager.default.removeItem(at: url)
            } catch {
                throw DataError("cannot remove stale shard \(url.path): \(error.localizedDescription); delete it by hand")
            }
        }
    }

    static func writeShards(_ tokens: [UInt16], split: String, directory: URL) throws -> [String] {
        var names: [String] = []
        var start = 0
        repeat {
            let end = min(tokens.count, start + maxShardTokens)
            let digits = String(names.count)
            let name = "\(split)_" + String(repeating: "0", count: max(0, 6 - digits.count)) + digits + ".bin"
            try TokenShard.write(tokens: tokens[start..<end], to: directory.appendingPathComponent(name))
            names.append(name)
            start = end
        } while start < tokens.count
        return names
    }
}

extension JSONDecoder {
    /// A decoder for the snake_case keys prepared.json uses.
    static var snakeCase: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return decoder
    }
}

extension DataPreparation {
    /// Opens a prepared data directory without its corpus (shards made elsewhere, or a corpus that
    /// has moved): the manifest and tokenizer must be there; the shards are checked when read.
    public static func openPrepared(directory: URL, vocabSize: Int) throws -> PreparedData {
        let manifestURL = directory.appendingPathComponent(manifestFileName)
        guard let data = try? Data(contentsOf: manifestURL) else {
            throw DataError("\(manifestURL.path) is missing, and so is the corpus; point data.corpus at the text to prepare, or data.dir at a prepared directory")
        }
        let manifest: PreparationManifest
        do { manifest = try JSONDecoder.snakeCase.decode(PreparationManifest.self, from: data) } catch {
            throw DataError("\(manifestURL.path) is not a preparation manifest (\(error)); delete it and prepare again from the corpus")
        }
        let tokenizer = try BPETokenizer.load(from: directory)
        guard tokenizer.vocabSize == vocabSize else {
            throw DataError("\(directory.path) holds a tokenizer of \(tokenizer.vocabSize) tokens but model.vocab_size is \(vocabSize); make them agree")
        }
        return PreparedData(directory: directory, tokenizer: tokenizer, manifest: manifest, reused: true)
    }
}
