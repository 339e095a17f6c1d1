/// The bounded, deterministic sample of a corpus that the tokenizer is trained on, so training it
/// takes the same time for 100 MB or 100 GB: the whole corpus when it fits in the budget, else
/// 64 KiB slices at evenly spaced points of the corpus (gzip files, which cannot be entered in the
/// middle, give the points that fall in them as a prefix of their text). Slices start and end at
/// clean cuts (text) or line starts (JSONL), so no word is broken.
enum TokenizerSample {
    /// Bytes per slice.
    static let sliceBytes = 1 << 16

    /// A part of a file to read: from the cut at or after `from` to the cut at or after `to` (nil: the end).
    struct Region: Equatable {
        var from: Int
        var to: Int?
    }

    /// Which regions of each file the sample reads, for a budget of `budget` bytes.
    static func regions(_ files: [CorpusFile], budget: Int) -> [[Region]] {
        let total = files.reduce(0) { $0 + $1.bytes }
        if total <= budget {
            return files.map { file in
                let share = Int(Double(budget) * Double(file.bytes) / Double(max(1, total)))
                return [Region(from: 0, to: file.compressed ? share : nil)]
            }
        }
        let points = max(1, budget / sliceBytes)
        var regions = [[Region]](repeating: [], count: files.count)
        var file = 0
        var fileStart = 0
        for i in 0..<points {
            let point = Int((Double(i) + 0.5) * Double(total) / Double(points))
            while file < files.count - 1, point >= fileStart + files[file].bytes {
                fileStart += files[file].bytes
                file += 1
            }
            if files[file].compressed {
                let taken = regions[file].first?.to ?? 0
                regions[file] = [Region(from: 0, to: taken + sliceBytes)]
            } else {
                let offset = point - fileStart
                regions[file].append(Region(from: offset, to: offset + sliceBytes))
            }
        }
        return regions
    }

    /// Counts the words of the sample of `files` into `counts`; returns the bytes of text sampled.
    ///
    /// A JSONL slice whose ends fall inside a line longer than `sliceBytes` is cut at a character
    /// boundary there, and the cut-off parts of lines are read as `JSONFragment`s: waiting for the
    /// line's end would make the sample as large as the line (and, in a gzip file, decompress it
    /// all), so the sample stays within its budget whatever a line's length.
    static func collect(_ files: [CorpusFile], budget: Int, into counts: inout WordCounts) throws -> Int {
        var sampled = 0
        var text: [UInt8] = []
        for (file, regions) in zip(files, regions(files, budget: budget)) where !regions.isEmpty {
            let window = try ByteWindow(file: file)
            var previous = Cut(offset: 0, clean: true)
            for region in regions {
                if file.format == .text, region.to == nil, region.from == 0, previous.offset == 0 {
                    sampled += try countWhole(window, into: &counts)
                    continue
                }
                var from = previous
                if region.from > previous.offset {
                    _ = try window.advance(to: region.from - ByteWindow.cutContext)
                    from = try cut(window, file, region.from)
                }
                let to = try region.to.map { try cut(window, file, $0) } ?? Cut(offset: window.fill(upTo: Int.max), clean: true)
                previous = to.offset > from.offset ? to : from
                let bytes = window.bytes(from: from.offset, to: previous.offset)
                sampled += bytes.count
                switch file.format {
                case .text: counts.add(bytes)
                case .jsonl:
                    try countLines(bytes, of: file, offset: from.offset, cleanStart: from.clean, cleanEnd: previous.clean,
                                   scratch: &text, into: &counts)
                }
            }
        }
        return sampled
    }

    /// Counts a whole plain-text file a block at a time, cut where the words do not change, so the
    /// window holds a block, not the file; returns its bytes.
    private static func countWhole(_ window: ByteWindow, into counts: inout WordCounts) throws -> Int {
        var from = 0
        while try window.fill(upTo: from + 1) > from {
            let to = try window.textCut(atOrAfter: from + blockBytes)
            counts.add(window.bytes(from: from, to: to))
            from = to
            _ = try window.advance(to: from - ByteWindow.cutContext)
        }
        return from
    }

    /// Bytes of a whole file counted at a time.
    static let blockBytes = 1 << 20

    /// Where a slice ends; `clean` when at a line start (JSONL) or a clean text cut.
    private struct Cut {
        var offset: Int
        var clean: Bool
    }

    private static func cut(_ window: ByteWindow, _ file: CorpusFile, _ x: Int) throws -> Cut {
        if file.format == .text { return Cut(offset: try window.textCut(atOrAfter: x), clean: true) }
        if let line = try window.lineCut(atOrAfter: x, within: sliceBytes) { return Cut(offset: line, clean: true) }
        return Cut(offset: try window.characterCut(atOrAfter: x), clean: false)
    }

    /// Counts a JSONL slice: whole lines strictly (a bad one is an error naming its line), the cut-off
    /// head (`cleanStart` false) and tail (`cleanEnd` false) as fragments.
    private static func countLines(
        _ bytes: UnsafeBufferPointer<UInt8>, of file: CorpusFile, offset: Int, cleanStart: Bool, cleanEnd: Bool,
        scratch: inout [UInt8], into counts: inout WordCounts
    ) throws {
        var lo = 0, hi = bytes.count
        if !cleanStart {
            while lo < hi, bytes[lo] != 0x0A { lo += 1 }
            fragment(UnsafeBufferPointer(rebasing: bytes[0..<lo]), &scratch, &counts)
        }
        if !cleanEnd, lo < hi {
            var last = hi
            while last > lo, bytes[last - 1] != 0x0A { last -= 1 }
            fragment(UnsafeBufferPointer(rebasing: bytes[last..<hi]), &scratch, &counts)
            hi = last
        }
        guard lo < hi else { return }
        try CorpusLines.forEachText(in: UnsafeBufferPointer(rebasing: bytes[lo..<hi]), of: file, offset: offset + lo, scratch: &scratch) { _, line in
            counts.add(line)
        }
    }

    private static func fragment(_ bytes: UnsafeBufferPointer<UInt8>, _ scratch: inout [UInt8], _ counts: inout WordCounts) {
        JSONFragment.text(of: bytes, into: &scratch)
        scratch.withUnsafeBufferPointer { counts.add($0) }
    }
}
