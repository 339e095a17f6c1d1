/// Where every encoded piece's tokens go in the training and validation streams. Every rank computes
/// it from all ranks' records, so the shards do not depend on which rank encoded what.
///
/// Each document adds `<|endoftext|>` then its tokens to a stream. A text document's split is
/// decided here, once all its pieces are counted: the last `round(tokens × val_fraction)` tokens
/// go to validation after their own `<|endoftext|>`, as when the document is encoded whole.
struct ShardLayout {
    /// Where a piece of a text document goes.
    struct Fragment: Equatable {
        /// Stream positions of the document's train and val parts (their `<|endoftext|>` first).
        var documentTrainAt: Int
        var documentValAt: Int
        /// The document's token index where validation starts.
        var cut: Int
        /// The document's token index where this piece starts.
        var start: Int
        /// Whether the document's train and val parts exist (and so start with `<|endoftext|>`).
        var trainSeparator: Bool
        var valSeparator: Bool
    }

    /// Where a piece's tokens go.
    enum Placement: Equatable {
        /// JSONL: the piece's train tokens at `trainAt`, its val tokens at `valAt`.
        case lines(trainAt: Int, valAt: Int)
        /// Text: a fragment of one document.
        case fragment(Fragment)
    }

    /// Placement of each piece, by (file, piece).
    private(set) var placements: [PieceKey: Placement] = [:]
    /// Tokens in each stream.
    private(set) var trainTokens = 0
    private(set) var valTokens = 0
    /// Documents in the corpus (and validation corpus).
    private(set) var documents = 0

    /// Identifies a piece.
    struct PieceKey: Hashable {
        var file: Int
        var piece: Int
        var part = 0
    }

    /// Lays out `records` (every rank's, any order) of `files` with their roles.
    init(records: [PieceRecord], formats: [CorpusFile.Format], roles: [FileRole], valFraction: Double) throws {
        var byFile = [[PieceRecord]](repeating: [], count: formats.count)
        for record in records {
            guard record.file >= 0, record.file < formats.count else { throw DataError("internal error: a piece names file \(record.file) of \(formats.count)") }
            byFile[record.file].append(record)
        }
        for (file, pieces) in byFile.enumerated() {
            let sorted = pieces.sorted { ($0.piece, $0.part) < ($1.piece, $1.part) }
            guard sorted.first?.piece == 0 else {
                throw DataError("internal error: file \(file) has no first piece; delete the data directory and prepare again")
            }
            documents += sorted.reduce(0) { $0 + $1.documents }
            switch formats[file] {
            case .jsonl: placeLines(sorted, file: file)
            case .text: placeDocument(sorted, file: file, role: roles[file], valFraction: valFraction)
            }
        }
    }

    /// Where a piece goes; nil for a piece no record described.
    func placement(file: Int, piece: Int, part: Int = 0) -> Placement? {
        placements[PieceKey(file: file, piece: piece, part: part)]
    }

    private mutating func placeLines(_ pieces: [PieceRecord], file: Int) {
        for record in pieces {
            placements[PieceKey(file: file, piece: record.piece, part: record.part)] = .lines(trainAt: trainTokens, valAt: valTokens)
            trainTokens += record.trainTokens
            valTokens += record.valTokens
        }
    }

    private mutating func placeDocument(_ pieces: [PieceRecord], file: Int, role: FileRole, valFraction: Double) {
        let total = pieces.reduce(0) { $0 + $1.textTokens }
        let valCount: Int
        switch role {
        case .split: valCount = Int((Double(total) * valFraction).rounded())
        case .train: valCount = 0
        case .val: valCount = total
        }
        let trainSeparator = role != .val
        let valSeparator = role == .val || valCount > 0
        var fragment = Fragment(documentTrainAt: trainTokens, documentValAt: valTokens, cut: total - valCount, start: 0,
                                trainSeparator: trainSeparator, valSeparator: valSeparator)
        for record in pieces {
            placements[PieceKey(file: file, piece: record.piece)] = .fragment(fragment)
            fragment.start += record.textTokens
        }
        trainTokens += (trainSeparator ? 1 : 0) + (total - valCount)
        valTokens += (valSeparator ? 1 : 0) + valCount
    }
}
