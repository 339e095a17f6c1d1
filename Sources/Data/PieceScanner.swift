/// Walks a corpus file in pieces of about `pieceBytes`: nominal boundaries every `pieceBytes`
/// bytes, each moved forward to a clean cut (text) or a line start (JSONL). Every rank finds the
/// same pieces, so each can encode its own share; plain files are read only where a rank's pieces
/// are, gzip files are decompressed front to back by every rank that has a piece in them.
///
/// A JSONL piece is handed over as parts: runs of lines shorter than `longLineBytes` as bytes, and
/// each longer line to `longLine`, which reads it through the window itself (streaming it), so the
/// window never has to hold an enormous line.
enum PieceScanner {
    /// Calls `body(piece, part, bytes, offset)` for each part of each piece of `file` that
    /// `owns(piece)` accepts, in order, `longLine(piece, part, window, lineStart)` for each JSONL
    /// line longer than `longLineBytes` (it returns the next line's start), and `progress(diskOffset)`
    /// as it goes. Piece 0 always exists, even in an empty file; an owned piece has at least one part.
    static func scan(
        _ file: CorpusFile, pieceBytes: Int, longLineBytes: Int = 1 << 20, owns: (Int) -> Bool, progress: (Int) -> Void,
        body: (_ piece: Int, _ part: Int, _ bytes: UnsafeBufferPointer<UInt8>, _ offset: Int) throws -> Void,
        longLine: (_ piece: Int, _ part: Int, _ window: ByteWindow, _ lineStart: Int) throws -> Int = { _, _, _, _ in
            preconditionFailure("a JSONL file needs a long-line reader")
        }
    ) throws {
        let window = try ByteWindow(file: file)
        var piece = 0
        // Where the last JSONL line this scan read ends: a streamed line moves the window past the
        // boundaries of the pieces that fall inside it, whose first line starts there.
        var linesEnd = 0
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
                switch file.format {
                case .text:
                    let from = try window.textCut(atOrAfter: x)
                    let to = try window.textCut(atOrAfter: x + pieceBytes)
                    try body(piece, 0, window.bytes(from: from, to: to), from)
                case .jsonl:
                    linesEnd = try scanLines(window, piece: piece, from: x, after: linesEnd, to: x + pieceBytes,
                                             longLineBytes: longLineBytes, body: body, longLine: longLine)
                }
            }
            progress(window.diskOffset)
            piece += 1
        }
    }

    /// The lines that start in [lineCut(from), lineCut(to)): runs of short lines to `body`, each long
    /// one to `longLine`. `linesEnd` is where the lines read before end (x inside them: the first
    /// line starts there). Returns where the piece's lines end.
    private static func scanLines(
        _ window: ByteWindow, piece: Int, from x: Int, after linesEnd: Int, to limit: Int, longLineBytes: Int,
        body: (Int, Int, UnsafeBufferPointer<UInt8>, Int) throws -> Void,
        longLine: (Int, Int, ByteWindow, Int) throws -> Int
    ) throws -> Int {
        let from = x <= linesEnd ? linesEnd : try window.lineCut(atOrAfter: x)
        var part = 0, runStart = from, p = from
        while p < limit, try window.fill(upTo: p + 1) > p {
            if let next = try window.lineCut(atOrAfter: p + 1, within: longLineBytes) {
                p = next
                continue
            }
            if p > runStart {
                try body(piece, part, window.bytes(from: runStart, to: p), runStart)
                part += 1
            }
            _ = try window.advance(to: p)
            p = try longLine(piece, part, window, p)
            part += 1
            runStart = p
        }
        if p > runStart || part == 0 {
            _ = try window.advance(to: runStart)
            try window.fill(upTo: p)
            try body(piece, part, window.bytes(from: runStart, to: p), runStart)
        }
        return p
    }
}
