import Foundation

/// The record `prepared.json` keeps of a preparation: what corpus and settings produced which shards.
public struct PreparationManifest: Codable, Sendable, Equatable {
    /// What one split (train or val) holds.
    public struct Split: Codable, Sendable, Equatable {
        /// Tokens in all its shards, `<|endoftext|>` separators included.
        public var tokens: Int
        /// UTF-8 bytes of the text those tokens spell, separators excluded (the denominator of bits per byte).
        public var bytes: Int
        /// Shard file names in order.
        public var shards: [String]
    }

    /// Bumped when the preparation's output changes meaning, so older outputs are redone.
    /// 2: streaming preparation, JSONL and gzip corpora, a separate validation corpus.
    public static let currentFormat = 2

    /// The format of this record.
    public var formatVersion: Int
    /// The corpus files as they were: how many, their bytes, and a digest of their names, sizes and times.
    public var corpus: CorpusSummary
    /// The same for the separate validation corpus (no files when validation is held out of the corpus).
    public var valCorpus: CorpusSummary
    /// The tokenizer's vocabulary size.
    public var vocabSize: Int
    /// The share of each document held out for validation (unused with a validation corpus).
    public var valFraction: Double
    /// FNV-1a 64 over vocab.json then merges.txt.
    public var tokenizerHash: String
    /// How many documents the corpus (and validation corpus) held.
    public var documents: Int
    /// The training split.
    public var train: Split
    /// The validation split.
    public var val: Split

    /// A corpus listing in a few numbers, so that prepared.json stays small for corpora of many files.
    public struct CorpusSummary: Codable, Sendable, Equatable {
        /// Files in the corpus.
        public var files: Int
        /// Their total size on disk.
        public var bytes: Int
        /// FNV-1a 64 over each file's name, size, modification time and path, in order.
        public var digest: String

        /// Summarizes `files`.
        init(_ files: [CorpusFile]) {
            var hash = ContentHash()
            for file in files {
                for text in [file.name, file.path] {
                    hash.update(text.utf8.count)
                    hash.update(Array(text.utf8))
                }
                hash.update(file.bytes)
                hash.update(file.modified)
            }
            self.files = files.count
            bytes = files.reduce(0) { $0 + $1.bytes }
            digest = hash.hex
        }
    }

    /// The file name inside the data directory.
    public static let fileName = "prepared.json"

    /// Writes the manifest as pretty, sorted JSON, atomically.
    func write(to directory: URL) throws {
        let url = directory.appendingPathComponent(Self.fileName)
        do {
            let encoder = JSONEncoder()
            encoder.keyEncodingStrategy = .convertToSnakeCase
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            try encoder.encode(self).write(to: url, options: .atomic)
        } catch {
            throw DataError("cannot write \(url.path): \(FileErrorText.reason(error)); check free space and permissions")
        }
    }


    /// The splits of a manifest of any format (older ones lack the corpus details), for opening shards.
    struct Splits: Decodable {
        var vocabSize: Int
        var train: Split
        var val: Split
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
