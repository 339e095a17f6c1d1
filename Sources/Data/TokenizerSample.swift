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
    static func collect(_ files: [CorpusFile], budget: Int, into counts: inout WordCounts) throws -> Int {
        var sampled = 0
        var text: [UInt8] = []
        for (file, regions) in zip(files, regions(files, budget: budget)) where !regions.isEmpty {
            let window = try ByteWindow(file: file)
            var previous = 0
            for region in regions {
                var from = previous
                if region.from > previous {
                    _ = try window.advance(to: region.from - ByteWindow.cutContext)
                    from = try cut(window, file, region.from)
                }
                let to = try region.to.map { try cut(window, file, $0) } ?? window.fill(upTo: Int.max)
                previous = max(from, to)
                let bytes = window.bytes(from: from, to: previous)
                sampled += bytes.count
                switch file.format {
                case .text: counts.add(bytes)
                case .jsonl: try CorpusLines.forEachText(in: bytes, of: file, offset: from, scratch: &text) { _, line in counts.add(line) }
                }
            }
        }
        return sampled
    }

    private static func cut(_ window: ByteWindow, _ file: CorpusFile, _ x: Int) throws -> Int {
        file.format == .text ? try window.textCut(atOrAfter: x) : try window.lineCut(atOrAfter: x)
    }
}
