extension PieceEncoder {
    /// Encodes the JSONL line at `lineStart`, too long to hold, as part `part` of its piece: its
    /// "text" streamed (`LongJSONLine`) into `StreamingTextEncoder` and straight to the spill file,
    /// so neither the line, its text nor its tokens are ever held whole. Returns the record and the
    /// next line's start. A line with no long "text" string is read whole, as a short one is.
    func encodeLongLine(
        _ window: ByteWindow, of file: CorpusFile, index: Int, piece: Int, part: Int, lineStart: Int, role: FileRole, longLineBytes: Int
    ) throws -> (record: PieceRecord, next: Int) {
        let heldOut = role == .val || (role == .split && Holdout.isHeldOut(fileKey: Holdout.key(file.name), offset: lineStart, fraction: valFraction))
        let start = spilled
        var stream = StreamingTextEncoder(tokenizer: tokenizer, flushBytes: longLineBytes / 4)
        var started = false
        let outcome = try LongJSONLine.read(window, file: file, lineStart: lineStart, threshold: longLineBytes / 16, suffixLimit: longLineBytes) { text in
            if !started {
                try append([tokenizer.endOfText])
                started = true
            }
            try stream.append(text) { try append($0) }
        }
        switch outcome {
        case .held(let end):
            let record = try encode(window.bytes(from: lineStart, to: end), of: file, index: index, piece: piece, part: part, offset: lineStart, role: role)
            return (record, end)
        case .streamed(let end, let overruledBy):
            try stream.finish { try append($0) }
            if let winner = overruledBy {
                // A later "text" field wins (JSON's last one does): the streamed tokens are overwritten.
                spilled = start
                try append([tokenizer.endOfText] + tokenizer.encode(bytes: winner))
            }
            var record = PieceRecord(file: index, piece: piece, part: part)
            if heldOut { record.valTokens = spilled - start } else { record.trainTokens = spilled - start }
            record.documents = 1
            return (record, end)
        }
    }
}
