import Foundation

/// Turns a corpus into a tokenizer plus train/val token shards in a data directory, streaming, and
/// spread over a group of processes; skips the work when nothing changed.
///
/// Rank 0 alone lists the corpus and decides whether to prepare; each rank then encodes its share of
/// the pieces into a spill file; every rank lays out the shards from all ranks' piece counts, writes
/// its pieces into them, and rank 0 renames the finished shards and writes prepared.json last.
/// The shards depend only on the corpus and the settings, never on the number of ranks.
public enum DataPreparation {
    /// The manifest's file name inside the data directory.
    public static let manifestFileName = PreparationManifest.fileName

    /// Prepares (or reuses) `settings.directory` from `settings.corpus`; every member of `group`
    /// calls it, and each gets the opened data. Only rank 0 reports to `progress`.
    public static func prepare(
        _ settings: PreparationSettings, group: PreparationGroup = SingleProcess(), progress: PreparationProgress = .silent
    ) throws -> PreparedData {
        let report = group.rank == 0 ? progress : .silent
        // Rank 0 keeps the prepared.json it found up to date, so that it reads the file once.
        var current: ManifestFile? = nil
        let planned = try group.agree(onlyRoot: true) { () throws -> [UInt8] in
            let (decision, manifest) = try plan(settings, progress: report)
            if decision.upToDate { current = manifest }
            return decision.encoded()
        } ?? []
        let decided = try PreparationPlan.decode(group.broadcast(planned))
        if !decided.upToDate {
            try encodeAndWrite(settings, plan: decided, group: group, progress: report)
        }
        return try group.agree(onlyRoot: false) {
            try open(directory: settings.directory, vocabSize: settings.vocabSize, reused: decided.upToDate, progress: report,
                     manifest: current ?? ManifestFile.read(in: settings.directory))
        }!
    }

    /// Prepares in one process, as `prepare` with a group of one; `progress` gets each message.
    public static func prepare(
        corpus: URL, directory: URL, vocabSize: Int, valFraction: Double, progress: @escaping (String) -> Void = { _ in }
    ) throws -> PreparedData {
        let settings = PreparationSettings(corpus: corpus.path, directory: directory, vocabSize: vocabSize, valFraction: valFraction)
        return try prepare(settings, progress: .collecting(progress))
    }

    /// Rank 0: lists the corpus, reuses an up-to-date directory, or clears it and makes the tokenizer;
    /// returns the decision and the prepared.json it read.
    static func plan(_ settings: PreparationSettings, progress: PreparationProgress) throws -> (PreparationPlan, ManifestFile?) {
        try settings.check()
        let files = try CorpusFile.list(corpus: settings.corpus)
        let valFiles = settings.valCorpus.isEmpty ? [] : try CorpusFile.list(corpus: settings.valCorpus)
        guard files.contains(where: { $0.bytes > 0 }) else {
            throw DataError("corpus \(settings.corpus) is empty (\(files.count) files, no text); point data.corpus at a non-empty text or JSONL file, or a folder of them")
        }
        let directory = settings.directory
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw DataError("cannot create data directory \(directory.path): \(FileErrorText.reason(error, creatingDirectory: directory.path)); check data.dir and its permissions")
        }
        let roles = files.map { _ in valFiles.isEmpty ? FileRole.split : .train } + valFiles.map { _ in FileRole.val }
        let tokenizerHash = try? hashTokenizerFiles(in: directory)
        let found = ManifestFile.read(in: directory)
        if let old = found?.manifest, old.formatVersion == PreparationManifest.currentFormat,
           old.corpus == .init(files), old.valCorpus == .init(valFiles), old.vocabSize == settings.vocabSize,
           old.valFraction == settings.valFraction, old.tokenizerHash == tokenizerHash, shardsIntact(old, in: directory) {
            progress.note("\(directory.path) is up to date (\(old.train.tokens) train, \(old.val.tokens) val tokens); skipping preparation")
            return (PreparationPlan(upToDate: true, files: [], roles: []), found)
        }
        try clear(directory)
        _ = try loadOrTrainTokenizer(directory: directory, files: files, settings: settings, progress: progress)
        return (PreparationPlan(upToDate: false, files: files + valFiles, roles: roles), found)
    }

    static func loadOrTrainTokenizer(
        directory: URL, files: [CorpusFile], settings: PreparationSettings, progress: PreparationProgress
    ) throws -> BPETokenizer {
        let vocabURL = directory.appendingPathComponent(BPETokenizer.vocabFileName)
        let mergesURL = directory.appendingPathComponent(BPETokenizer.mergesFileName)
        let fileManager = FileManager.default
        let haveVocab = fileManager.fileExists(atPath: vocabURL.path)
        let haveMerges = fileManager.fileExists(atPath: mergesURL.path)
        if haveVocab != haveMerges {
            let (present, absent) = haveVocab ? (vocabURL, mergesURL) : (mergesURL, vocabURL)
            throw DataError("\(present.path) exists but \(absent.path) does not; delete \(present.path) to retrain the tokenizer, or restore \(absent.lastPathComponent)")
        }
        if haveVocab {
            let tokenizer = try BPETokenizer.load(from: directory)
            guard tokenizer.vocabSize == settings.vocabSize else {
                throw DataError("the tokenizer in \(directory.path) has vocab size \(tokenizer.vocabSize), but \(settings.vocabSize) was asked for; set model.vocab_size to \(tokenizer.vocabSize), or delete \(vocabURL.lastPathComponent) and \(mergesURL.lastPathComponent) there to retrain")
            }
            progress.note("loaded tokenizer from \(directory.path) (vocab \(settings.vocabSize))")
            return tokenizer
        }
        let started = Date()
        var counts = WordCounts()
        let sampled = try TokenizerSample.collect(files, budget: settings.tokenizerSampleBytes, into: &counts)
        progress.note(String(format: "training tokenizer (vocab %d) on %.1f MB of %d corpus files", settings.vocabSize, Double(sampled) / 1e6, files.count))
        let tokenizer = try BPETrainer.train(counts: counts, vocabSize: settings.vocabSize, progress: progress.note)
        try tokenizer.save(to: directory)
        progress.note(String(format: "trained the tokenizer in %.1f s", Date().timeIntervalSince(started)))
        return tokenizer
    }

    static func hashTokenizerFiles(in directory: URL) throws -> String {
        var hash = ContentHash()
        for name in [BPETokenizer.vocabFileName, BPETokenizer.mergesFileName] {
            let url = directory.appendingPathComponent(name)
            do {
                let data = try Data(contentsOf: url)
                hash.update(data.count)
                hash.update(data)
            } catch {
                throw DataError("cannot read \(url.path): \(FileErrorText.reason(error)); re-run `trainer prepare CONFIG`")
            }
        }
        return hash.hex
    }

    static func shardsIntact(_ manifest: PreparationManifest, in directory: URL) -> Bool {
        for split in [manifest.train, manifest.val] {
            var bytes = 0
            for name in split.shards {
                let path = directory.appendingPathComponent(name).path
                guard let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber else { return false }
                bytes += size.intValue
            }
            if bytes != split.shards.count * TokenShard.headerBytes + 2 * split.tokens { return false }
        }
        return true
    }
}
