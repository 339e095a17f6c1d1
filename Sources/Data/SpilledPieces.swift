/// Moves one rank's encoded pieces from its spill file to their places in the shards.
struct SpilledPieces {
    /// This rank's records, in the order their tokens were spilled.
    let records: [PieceRecord]
    /// The spill file's path.
    let path: String
    /// UTF-8 bytes each token spells; 0 for `<|endoftext|>`, which separates rather than spells text.
    let tokenBytes: [Int]
    /// The separator's id.
    let endOfText: UInt16

    /// Writes every piece into `train` and `val` as `layout` places it; returns the text bytes written to each.
    func write(layout: ShardLayout, train: ShardFiles.StreamWriter, val: ShardFiles.StreamWriter) throws -> (train: Int, val: Int) {
        let reader = try FileReader(path: path)
        var offset = 0
        var buffer: [UInt16] = []
        var bytes = (train: 0, val: 0)
        for record in records {
            let count = record.trainTokens + record.valTokens + record.textTokens
            guard let placement = layout.placement(file: record.file, piece: record.piece, part: record.part) else {
                throw DataError("internal error: no place for piece \(record.piece) of file \(record.file); prepare again")
            }
            switch placement {
            case .lines(let trainAt, let valAt):
                // A streamed JSONL line's part can hold hundreds of MB of tokens: move it in blocks.
                bytes.train += try copy(reader, from: offset, count: record.trainTokens, to: train, at: trainAt, &buffer)
                bytes.val += try copy(reader, from: offset + record.trainTokens, count: record.valTokens, to: val, at: valAt, &buffer)
            case .fragment(let fragment):
                try read(reader, from: offset, count: count, into: &buffer)
                let written = try buffer.withUnsafeBufferPointer { tokens in
                    try writeFragment(tokens, fragment, first: record.piece == 0, train: train, val: val)
                }
                bytes.train += written.train
                bytes.val += written.val
            }
            offset += count
        }
        return bytes
    }

    /// Writes one piece of a text document: the part before the document's cut trains, the rest validates.
    private func writeFragment(
        _ tokens: UnsafeBufferPointer<UInt16>, _ f: ShardLayout.Fragment, first: Bool,
        train: ShardFiles.StreamWriter, val: ShardFiles.StreamWriter
    ) throws -> (train: Int, val: Int) {
        var separator = endOfText.littleEndian
        try withUnsafePointer(to: &separator) { pointer in
            let one = UnsafeBufferPointer(start: pointer, count: 1)
            if first, f.trainSeparator { try train.write(one, at: f.documentTrainAt) }
            if first, f.valSeparator { try val.write(one, at: f.documentValAt) }
        }
        let start = f.start
        let end = start + tokens.count
        let trainEnd = min(end, f.cut)
        let valStart = max(start, f.cut)
        let trainPart = UnsafeBufferPointer(rebasing: tokens[0..<max(0, trainEnd - start)])
        let valPart = UnsafeBufferPointer(rebasing: tokens[min(tokens.count, valStart - start)...])
        try train.write(trainPart, at: f.documentTrainAt + (f.trainSeparator ? 1 : 0) + start)
        try val.write(valPart, at: f.documentValAt + (f.valSeparator ? 1 : 0) + (valStart - f.cut))
        return (textBytes(trainPart), textBytes(valPart))
    }

    /// Tokens moved per block.
    private static let block = 1 << 20

    /// Reads `count` spilled tokens from token `from` into `buffer`.
    private func read(_ reader: FileReader, from: Int, count: Int, into buffer: inout [UInt16]) throws {
        buffer = [UInt16](repeating: 0, count: count)
        let got = try buffer.withUnsafeMutableBytes { try reader.read(into: $0.baseAddress!, count: 2 * count, at: 2 * from) }
        guard got == 2 * count else { throw DataError("\(path) is shorter than expected; another process may have changed it; prepare again") }
    }

    /// Copies `count` spilled tokens from token `from` to stream position `at`, a block at a time; returns their text bytes.
    private func copy(
        _ reader: FileReader, from: Int, count: Int, to stream: ShardFiles.StreamWriter, at: Int, _ buffer: inout [UInt16]
    ) throws -> Int {
        var done = 0, text = 0
        while done < count {
            let n = min(Self.block, count - done)
            try read(reader, from: from + done, count: n, into: &buffer)
            try buffer.withUnsafeBufferPointer { tokens in
                try stream.write(tokens, at: at + done)
                text += textBytes(tokens)
            }
            done += n
        }
        return text
    }

    private func textBytes(_ tokens: UnsafeBufferPointer<UInt16>) -> Int {
        var total = 0
        for token in tokens { total += tokenBytes[Int(UInt16(littleEndian: token))] }
        return total
    }
}
