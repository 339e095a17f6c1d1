import Foundation

extension DataPreparation {
    /// Every rank: encodes its share of the pieces, lays out the shards from everyone's counts,
    /// writes its pieces into them; rank 0 then publishes the shards and writes the manifest last.
    static func encodeAndWrite(_ settings: PreparationSettings, plan: PreparationPlan, group: PreparationGroup, progress: PreparationProgress) throws {
        let directory = settings.directory
        let tokenizer = try group.agree(onlyRoot: false) { try BPETokenizer.load(from: directory) }!
        let spillPath = directory.appendingPathComponent(".spill-\(group.rank).tmp").path
        defer { unlink(spillPath) }
        let mine = try group.agree(onlyRoot: false) {
            try encodeShare(settings, plan: plan, tokenizer: tokenizer, spillPath: spillPath, group: group, progress: progress)
        }!
        let gathered = try group.allGather(Int64Bytes.bytes(mine.flatMap(\.fields)))
        let layout = try group.agree(onlyRoot: false) {
            try ShardLayout(records: gathered.flatMap { PieceRecord.decode(Int64Bytes.values($0)) },
                            formats: plan.files.map(\.format), roles: plan.roles, valFraction: settings.valFraction)
        }!
        let train = ShardFiles(split: "train", tokens: layout.trainTokens, shardTokens: settings.shardTokens, directory: directory)
        let val = ShardFiles(split: "val", tokens: layout.valTokens, shardTokens: settings.shardTokens, directory: directory)
        _ = try group.agree(onlyRoot: true) {
            try train.create()
            try val.create()
        }
        var tokenBytes = (0..<tokenizer.vocabSize).map { tokenizer.bytes(ofToken: Int32($0)).count }
        tokenBytes[Int(tokenizer.endOfText)] = 0
        let written = try group.agree(onlyRoot: false) { () throws -> [Int64] in
            let spilled = SpilledPieces(records: mine, path: spillPath, tokenBytes: tokenBytes, endOfText: UInt16(tokenizer.endOfText))
            let bytes = try spilled.write(layout: layout, train: train.writer(), val: val.writer())
            return [Int64(bytes.train), Int64(bytes.val)]
        }!
        let totals = try group.allGather(Int64Bytes.bytes(written)).map(Int64Bytes.values).reduce([0, 0]) { [$0[0] + $1[0], $0[1] + $1[1]] }
        _ = try group.agree(onlyRoot: true) {
            try train.publish()
            try val.publish()
            let corpusCount = plan.roles.filter { $0 != .val }.count
            let manifest = PreparationManifest(
                formatVersion: PreparationManifest.currentFormat, corpus: .init(Array(plan.files[..<corpusCount])),
                valCorpus: .init(Array(plan.files[corpusCount...])), vocabSize: settings.vocabSize, valFraction: settings.valFraction,
                tokenizerHash: try hashTokenizerFiles(in: directory), documents: layout.documents,
                train: .init(tokens: layout.trainTokens, bytes: Int(totals[0]), shards: train.names),
                val: .init(tokens: layout.valTokens, bytes: Int(totals[1]), shards: val.names))
            try manifest.write(to: directory)
            progress.note("wrote \(layout.trainTokens) train and \(layout.valTokens) val tokens (\(layout.documents) documents) to \(directory.path)")
        }
    }

    /// Encodes the pieces this rank owns (`PieceOwnership`) into its spill file. Progress counts
    /// this rank's share and shows it scaled to the corpus: the ranks move at about the same pace.
    static func encodeShare(
        _ settings: PreparationSettings, plan: PreparationPlan, tokenizer: BPETokenizer, spillPath: String,
        group: PreparationGroup, progress: PreparationProgress
    ) throws -> [PieceRecord] {
        let encoder = PieceEncoder(tokenizer: tokenizer, spill: try FileWriter(path: spillPath, truncate: true), valFraction: settings.valFraction)
        let ownership = PieceOwnership(files: plan.files, pieceBytes: settings.pieceBytes, ranks: group.size)
        let share = max(1, ownership.share(of: group.rank))
        var records: [PieceRecord] = []
        var done = 0
        func report(_ bytes: Int) { progress.advance(done: Int(Double(bytes) / Double(share) * Double(ownership.total)), total: ownership.total) }
        progress.begin()
        for (index, file) in plan.files.enumerated() {
            // A file none of whose pieces are this rank's is not even opened.
            guard ownership.ownsAny(file: index, rank: group.rank) else { continue }
            let roundRobin = ownership.isRoundRobin(index)
            func counted(_ piece: Int, _ part: Int) {
                guard !roundRobin, part == 0 else { return }
                done += ownership.bytes(file: index, piece: piece)
                report(done)
            }
            try PieceScanner.scan(
                file, pieceBytes: settings.pieceBytes, longLineBytes: settings.longLineBytes,
                owns: { ownership.owner(file: index, piece: $0) == group.rank },
                progress: { if roundRobin { report(done + $0 / group.size) } },
                body: { piece, part, bytes, offset in
                    records.append(try encoder.encode(bytes, of: file, index: index, piece: piece, part: part, offset: offset, role: plan.roles[index]))
                    counted(piece, part)
                },
                longLine: { piece, part, window, lineStart in
                    let (record, next) = try encoder.encodeLongLine(window, of: file, index: index, piece: piece, part: part, lineStart: lineStart,
                                                                    role: plan.roles[index], longLineBytes: settings.longLineBytes)
                    records.append(record)
                    counted(piece, part)
                    return next
                })
            if roundRobin { done += file.bytes / group.size }
        }
        progress.advance(done: ownership.total, total: ownership.total, final: true)
        return records
    }

    /// Rank 0, before preparing: removes the manifest first (an interrupted preparation then leaves
    /// none, so the next run starts over), then our old shards and temporary files. Refuses a
    /// directory holding shards we did not write, rather than mixing or deleting them.
    static func clear(_ directory: URL) throws {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        if let foreign = names.first(where: { $0.hasSuffix(".bin") && !$0.hasPrefix(".") && !isOurShard($0) }) {
            throw DataError("\(directory.path) holds token shards trainer did not write (\(foreign)); preparing a corpus there would mix them with new ones: set data.dir to another folder, or set data.corpus to \"\" to train on those shards")
        }
        try? FileManager.default.removeItem(at: directory.appendingPathComponent(manifestFileName))
        for name in names where isOurShard(name) || name.hasSuffix(".partial") || (name.hasPrefix(".spill-") && name.hasSuffix(".tmp")) {
            let url = directory.appendingPathComponent(name)
            do {
                try FileManager.default.removeItem(at: url)
            } catch {
                throw DataError("cannot remove stale file \(url.path): \(FileErrorText.reason(error)); delete it by hand")
            }
        }
    }

    /// True for `train_NNNNNN.bin` and `val_NNNNNN.bin`, the names preparation writes.
    static func isOurShard(_ name: String) -> Bool {
        for split in ["train_", "val_"] where name.hasPrefix(split) && name.hasSuffix(".bin") {
            let digits = name.dropFirst(split.count).dropLast(4)
            return digits.count == 6 && digits.allSatisfy(\.isASCII) && digits.allSatisfy(\.isNumber)
        }
        return false
    }
}
