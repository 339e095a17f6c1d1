/// Walks a corpus file in pieces of about `pieceBytes`: nominal boundaries every `pieceBytes`
/// bytes, each moved forward to a clean cut (text) or a line start (JSONL). Every rank finds the
/// same pieces, so each can encode its own share; plain files are read only where a rank's pieces
/// are, gzip files are decompressed front to back by every rank that has a piece in them.
enum PieceScanner {
    /// Calls `body(piece, bytes, offset)` for each piece of `file` that `owns(piece)` accepts, in
    /// order, and `progress(diskOffset)` as it goes. Piece 0 always exists, even in an empty file.
    static func scan(
        _ file: CorpusFile, pieceBytes: Int, owns: (Int) -> Bool, progress: (Int) -> Void,
        body: (_ piece: Int, _ bytes: UnsafeBufferPointer<UInt8>, _ offset: Int) throws -> Void
    ) throws {
        let window = try ByteWindow(file: file)
        var piece = 0
        while true {
            let x = piece * pieceBytes
            if piece > 0 {
                if !file.compressed, !owns(piece) {
                    if x >= file.bytes { break }
                    piece += 1
                    continue
                }
                _ = try window.advance(to: x - ByteWindow.cutContext)
                try window.fill(upTo: x + 1)
                if let length = window.length, length <= x { break }
            }
            if owns(piece) {
                let from = try cut(window, at: x, format: file.format)
                let to = try cut(window, at: x + pieceBytes, format: file.format)
                try body(piece, window.bytes(from: from, to: to), from)
            }
            progress(window.diskOffset)
            piece += 1
        }
    }

    private static func cut(_ window: ByteWindow, at x: Int, format: CorpusFile.Format) throws -> Int {
        switch format {
        case .text: try window.textCut(atOrAfter: x)
        case .jsonl: try window.lineCut(atOrAfter: x)
        }
    }
}
