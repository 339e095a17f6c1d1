import Foundation

/// Which split a corpus file's documents go to.
enum FileRole: String, Codable, Sendable {
    /// Hold out part of the file: the last `val_fraction` of a text document's tokens, or a
    /// `val_fraction` share of a JSONL file's documents chosen by a hash of their position.
    case split
    /// Everything trains (the corpus, when a separate validation corpus is given).
    case train
    /// Everything validates (the separate validation corpus).
    case val
}

/// What one encoded piece holds; every rank's records are gathered to lay out the shards.
struct PieceRecord: Equatable, Sendable {
    /// The file's index in the preparation's file list.
    var file: Int
    /// The piece's index within the file.
    var piece: Int
    /// The part within the piece: a JSONL line too long to hold is streamed into a part of its own,
    /// with the runs of lines before and after it in parts of theirs; 0 for everything else.
    var part = 0
    /// JSONL: tokens bound for the training split, `<|endoftext|>` separators included.
    var trainTokens = 0
    /// JSONL: tokens bound for the validation split.
    var valTokens = 0
    /// Text: this fragment's tokens (the document's split is decided once all fragments are counted).
    var textTokens = 0
    /// Documents that start in this piece.
    var documents = 0

    /// The record as integers, for exchanging between ranks.
    var fields: [Int64] { [file, piece, part, trainTokens, valTokens, textTokens, documents].map { Int64($0) } }

    init(file: Int, piece: Int, part: Int = 0) {
        self.file = file
        self.piece = piece
        self.part = part
    }

    /// Rebuilds records from `fields` of consecutive records.
    static func decode(_ values: [Int64]) -> [PieceRecord] {
        stride(from: 0, to: values.count - 6, by: 7).map { i in
            var record = PieceRecord(file: Int(values[i]), piece: Int(values[i + 1]), part: Int(values[i + 2]))
            record.trainTokens = Int(values[i + 3])
            record.valTokens = Int(values[i + 4])
            record.textTokens = Int(values[i + 5])
            record.documents = Int(values[i + 6])
            return record
        }
    }
}

/// Encodes pieces of corpus files and appends their tokens to this rank's spill file.
final class PieceEncoder {
    let tokenizer: BPETokenizer
    private let spill: FileWriter
    let valFraction: Double
    /// Tokens written to the spill file so far (a streamed line that another field overrules rewinds it).
    var spilled = 0
    private var tokens: [Int32] = []
    private var trainPart: [Int32] = []
    private var valPart: [Int32] = []
    private var text: [UInt8] = []
    private var narrow: [UInt16] = []

    /// Encodes with `tokenizer` into `spill`; `valFraction` is the share of JSONL documents held out.
    init(tokenizer: BPETokenizer, spill: FileWriter, valFraction: Double) {
        self.tokenizer = tokenizer
        self.spill = spill
        self.valFraction = valFraction
    }

    /// Encodes one piece of `file` (which starts at byte `offset` of the decompressed file).
    func encode(_ bytes: UnsafeBufferPointer<UInt8>, of file: CorpusFile, index: Int, piece: Int, part: Int = 0, offset: Int, role: FileRole) throws -> PieceRecord {
        var record = PieceRecord(file: index, piece: piece, part: part)
        switch file.format {
        case .text:
            tokens.removeAll(keepingCapacity: true)
            tokenizer.encode(bytes, appendingTo: &tokens)
            try append(tokens)
            record.textTokens = tokens.count
            record.documents = piece == 0 ? 1 : 0
        case .jsonl:
            trainPart.removeAll(keepingCapacity: true)
            valPart.removeAll(keepingCapacity: true)
            record.documents = try encodeLines(bytes, of: file, offset: offset, role: role)
            try append(trainPart)
            try append(valPart)
            record.trainTokens = trainPart.count
            record.valTokens = valPart.count
        }
        return record
    }

    /// Encodes each non-blank line's `text` as one document into `trainPart` or `valPart`; returns the count.
    private func encodeLines(_ bytes: UnsafeBufferPointer<UInt8>, of file: CorpusFile, offset: Int, role: FileRole) throws -> Int {
        let fileKey = Holdout.key(file.name)
        var documents = 0
        try CorpusLines.forEachText(in: bytes, of: file, offset: offset, scratch: &text) { lineOffset, line in
            let heldOut = role == .val || (role == .split && Holdout.isHeldOut(fileKey: fileKey, offset: lineOffset, fraction: valFraction))
            if heldOut {
                valPart.append(tokenizer.endOfText)
                tokenizer.encode(line, appendingTo: &valPart)
            } else {
                trainPart.append(tokenizer.endOfText)
                tokenizer.encode(line, appendingTo: &trainPart)
            }
            documents += 1
        }
        return documents
    }

    /// Appends tokens to the spill file as little-endian UInt16.
    func append(_ values: [Int32]) throws {
        guard !values.isEmpty else { return }
        narrow.removeAll(keepingCapacity: true)
        narrow.reserveCapacity(values.count)
        for value in values { narrow.append(UInt16(truncatingIfNeeded: value).littleEndian) }
        try narrow.withUnsafeBytes { try spill.write($0.baseAddress!, count: $0.count, at: 2 * spilled) }
        spilled += values.count
    }
}

/// The choice of held-out JSONL documents: a hash of the file's name and the line's byte offset,
/// so it is the same on every run and rank count, like a seeded train_test_split over documents.
enum Holdout {
    /// The hash of a file's name that keys its documents' choices; compressing a file keeps them.
    static func key(_ name: String) -> UInt64 {
        var hash = ContentHash()
        hash.update(Array((name.hasSuffix(".gz") ? String(name.dropLast(3)) : name).utf8))
        return hash.value
    }

    /// True when the document at `offset` of the file keyed `fileKey` belongs to the validation split.
    static func isHeldOut(fileKey: UInt64, offset: Int, fraction: Double) -> Bool {
        let draw = SplitMix64.mix(fileKey ^ SplitMix64.mix(UInt64(offset)))
        return Double(draw >> 11) * 0x1p-53 < fraction
    }
}
