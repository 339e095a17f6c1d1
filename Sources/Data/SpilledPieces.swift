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
            buffer = [UInt16](repeating: 0, count: count)
            let got = try buffer.withUnsafeMutableBytes { try reader.read(into: $0.baseAddress!, count: 2 * count, at: 2 * offset) }
            guard got == 2 * count else { throw DataError("\(path) is shorter than expected; another process may have changed it; prepare again") }
            offset += count
            guard let placement = layout.placement(file: record.file, piece: record.piece) else {
                throw DataError("internal error: no place for piece \(record.piece) of file \(record.file); prepare again")
            }
            try buffer.withUnsafeBufferPointer { tokens in
                switch placement {
                case .lines(let trainAt, let valAt):
                    let trainPart = UnsafeBufferPointer(rebasing: tokens[..<record.trainTokens])
                    let valPart = UnsafeBufferPointer(rebasing: tokens[record.trainTokens...])
                    try train.write(trainPart, at: trainAt)
                    try val.write(valPart, at: valAt)
                    bytes.train += textBytes(trainPart)
                    bytes.val += textBytes(valPart)
                case .fragment(let fragment):
                    let written = try writeFragment(tokens, fragment, first: record.piece == 0, train: train, val: val)
                    bytes.train += written.train
                    bytes.val += written.val
                }
            }
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

    private func textBytes(_ tokens: UnsafeBufferPointer<UInt16>) -> Int {
        var total = 0
        for token in tokens { total += tokenBytes[Int(UInt16(littleEndian: token))] }
        return total
    }
}
