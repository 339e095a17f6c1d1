import Collectives
import Data
import Foundation
import ModelFiles
import RunConfig

/// Where rank 0 reports a data preparation's progress.
public enum ProgressOutput: Sendable {
    /// Standard output: one updating line on a terminal, plain lines otherwise.
    case standardOutput
    /// Nowhere.
    case silent
}

extension RunSetup {
    /// Fails early, before MPI starts, when there is neither a corpus nor data to use as it is, or
    /// (unless `model` is false) when the ranks on this machine would not fit in its memory.
    public static func checkInputs(_ config: TrainConfig, model: Bool = true) throws(ConfigError) {
        if model { try checkMemory(config) }
        let d = config.data
        if !d.valCorpus.isEmpty, !FileManager.default.fileExists(atPath: d.valCorpus) {
            throw ConfigError("data.val_corpus", "\(d.valCorpus) does not exist; point it at a text or JSONL file or folder, or set it to \"\" to hold out data.val_fraction of the corpus")
        }
        if !d.corpus.isEmpty, FileManager.default.fileExists(atPath: d.corpus) { return }
        guard DataPreparation.hasData(in: URL(fileURLWithPath: d.dir)) else {
            let corpus = d.corpus.isEmpty ? "is empty" : "\(d.corpus) does not exist"
            throw ConfigError("data.corpus", "\(corpus), and data.dir \(d.dir) holds neither prepared data nor llm.c shards; point data.corpus at a text or JSONL file or folder (the bundled corpus is data/shakespeare), or data.dir at a folder of shards")
        }
    }

    /// The data settings a config asks for.
    public static func dataSettings(_ config: TrainConfig) -> PreparationSettings {
        let d = config.data
        var settings = PreparationSettings(corpus: d.corpus, directory: URL(fileURLWithPath: d.dir), vocabSize: config.model.vocabSize, valFraction: d.valFraction)
        settings.valCorpus = d.valCorpus
        settings.tokenizerSampleBytes = d.tokenizerSampleMb << 20
        settings.pieceBytes = d.prepareChunkMb << 20
        return settings
    }

    /// Every rank: makes the data ready and opens it. Rank 0 alone decides: with a corpus, the
    /// ranks prepare it together when the data directory is missing or stale (each encodes its share);
    /// without one (data.corpus empty or absent), the directory is used as it is. The other ranks
    /// never read the corpus to decide. With `tokenizerFrom` (training.init_from's weights), the
    /// tokenizer is the pre-trained model's. Any rank's error stops every rank with the same message.
    public static func prepareData(config: TrainConfig, comm: Communicator, progress: ProgressOutput,
                                   tokenizerFrom pretrained: PretrainedWeights? = nil) throws -> PreparedData {
        let settings = dataSettings(config)
        if let pretrained {
            _ = try comm.agreeOnRoot { try pretrained.installTokenizer(into: settings.directory) }
        }
        // Open MPI gives every rank a pseudo-terminal whatever mpirun's own output is, so a rank
        // cannot tell a terminal from a log file: under mpirun, progress comes as plain lines.
        let report: PreparationProgress = comm.isRoot && progress == .standardOutput
            ? .standardOutput(updating: !MPICommunicator.launchedByMPI) : .silent
        let corpus = config.data.corpus
        let hasCorpus = try comm.broadcast(comm.isRoot && !corpus.isEmpty && FileManager.default.fileExists(atPath: corpus))
        if hasCorpus {
            return try DataPreparation.prepare(settings, group: CommunicatorGroup(comm: comm), progress: report)
        }
        let reason = corpus.isEmpty ? "data.corpus is empty" : "corpus \(corpus) not found"
        report.note("\(reason); using the data in \(config.data.dir) as it is")
        return try comm.agree {
            try DataPreparation.open(directory: settings.directory, vocabSize: settings.vocabSize, progress: report)
        }
    }
}

/// The communicator's ranks as a group that prepares data together.
struct CommunicatorGroup: PreparationGroup {
    let comm: Communicator

    var rank: Int { comm.rank }
    var size: Int { comm.size }

    func agree<T>(onlyRoot: Bool, _ body: () throws -> T) throws -> T? {
        onlyRoot ? try comm.agreeOnRoot(body) : try comm.agree(body)
    }

    func broadcast(_ bytes: [UInt8]) throws -> [UInt8] {
        try comm.broadcast(bytes: bytes, root: 0)
    }

    func allGather(_ bytes: [UInt8]) throws -> [[UInt8]] {
        try (0..<comm.size).map { root in try comm.broadcast(bytes: comm.rank == root ? bytes : [], root: root) }
    }
}
