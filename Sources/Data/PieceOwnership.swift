/// Which rank encodes which piece. Plain files, and gzip files no larger than a piece (taken whole),
/// are dealt out as contiguous runs of equal bytes, one run per rank, by their pieces' place in the
/// corpus: balanced to a piece whatever the sizes of the files, and each rank reads one region.
/// The pieces of a larger gzip file, which every rank must decompress to find, go round robin.
struct PieceOwnership {
    let files: [CorpusFile]
    let pieceBytes: Int
    let ranks: Int
    /// Each file's first byte in the corpus, on disk.
    private let starts: [Int]
    /// The corpus's bytes on disk.
    let total: Int

    init(files: [CorpusFile], pieceBytes: Int, ranks: Int) {
        self.files = files
        self.pieceBytes = pieceBytes
        self.ranks = ranks
        var starts: [Int] = []
        var offset = 0
        for file in files {
            starts.append(offset)
            offset += file.bytes
        }
        self.starts = starts
        total = offset
    }

    /// True for a gzip file no larger than a piece, which one rank encodes whole.
    func isWhole(_ file: Int) -> Bool { files[file].compressed && files[file].bytes <= pieceBytes }

    /// True for a gzip file larger than a piece, whose pieces go round robin.
    func isRoundRobin(_ file: Int) -> Bool { files[file].compressed && !isWhole(file) }

    /// The rank that encodes piece `piece` of file `file`.
    func owner(file: Int, piece: Int) -> Int {
        if isRoundRobin(file) { return (file + piece) % ranks }
        let offset = starts[file] + (isWhole(file) ? 0 : piece * pieceBytes)
        return min(ranks - 1, offset / max(1, (total + ranks - 1) / ranks))
    }

    /// The pieces of `file` that are dealt out: one for a whole file, else one per `pieceBytes`
    /// begun (at least one, for an empty file).
    func pieceCount(_ file: Int) -> Int {
        isWhole(file) ? 1 : max(1, (files[file].bytes + pieceBytes - 1) / pieceBytes)
    }

    /// The on-disk bytes of piece `piece` of `file` (all of a whole file).
    func bytes(file: Int, piece: Int) -> Int {
        isWhole(file) ? files[file].bytes : min(pieceBytes, files[file].bytes - piece * pieceBytes)
    }

    /// True when `rank` encodes at least one piece of `file`: always for a round-robin file, which
    /// every rank decompresses; otherwise the owners of a file's pieces run in order, so its first
    /// and last pieces bound them.
    func ownsAny(file: Int, rank: Int) -> Bool {
        isRoundRobin(file) || (owner(file: file, piece: 0)...owner(file: file, piece: pieceCount(file) - 1)).contains(rank)
    }

    /// The on-disk bytes `rank` encodes (for a round-robin file, its share of the file), for progress.
    func share(of rank: Int) -> Int {
        var bytes = 0
        for file in files.indices {
            if isRoundRobin(file) {
                bytes += files[file].bytes / ranks
                continue
            }
            for piece in 0..<pieceCount(file) where owner(file: file, piece: piece) == rank {
                bytes += self.bytes(file: file, piece: piece)
            }
        }
        return bytes
    }
}
