import Checkpoints
import Collectives
import Data
import Foundation
import GPT
import ModelFiles

extension Trainer {
    /// The state.json contents for the current step.
    func state(learningRate: Double) -> TrainingState {
        TrainingState(step: step, tokensSeen: tokensSeen, sequencesPerStep: plan.sequencesPerStep, order: order, learningRate: learningRate,
                      config: config, tokenizerDirectory: tokenizerDirectory, dataHash: objective.dataHash, worldSize: comm.size,
                      lastValidationLoss: lastValidationLoss, best: best, trainingSeconds: trainingSeconds, exact: exactThroughout)
    }

    /// Rank 0: writes a checkpoint of the current step (model, AdamW, tokenizer and the objective's
    /// files), then drops old ones, keeping the best by validation loss.
    @discardableResult
    public func saveCheckpoint(learningRate: Double) throws -> CheckpointInfo {
        ParentWatch.stopIfOrphaned()  // a save after mpirun is gone would race the run that replaces this one
        let moments = try checkpointOptimizer(reading: false)
        defer { sharding?.releaseLogical() }
        let files = try (model.lora.map(adapterCheckpointFiles)
            ?? ModelCheckpoint.writers(model: model, optimizer: moments.adam, muon: moments.muon, tokenizerDirectory: tokenizerDirectory,
                                       classifier: objective.classificationHead)) + objective.checkpointFiles()
        let info = try store.save(step: step, files: faults.checkpointFiles(files, step: step), state: state(learningRate: learningRate).encoded())
        try store.prune(keep: config.checkpoint.keep, bestStep: best?.step)
        return info
    }

    /// Rank 0: loads a checkpoint's tensors into this replica after checking that it continues
    /// this run (`ResumeCheck`; `acceptInexact` lets seed, batch, optimizer settings and data
    /// differ); returns its state.json bytes for `adoptCheckpoint`.
    public func loadCheckpoint(_ info: CheckpointInfo, acceptInexact: Bool = false, note: (String) -> Void = { _ in }) throws -> [UInt8] {
        let saved = try TrainingState.read(info.state, path: info.file(CheckpointStore.stateFileName).path)
        try checkSameOptimizer(saved: saved.config, checkpoint: info.directory.path)
        func tokenizer(_ hashes: [String: String]) -> String { hashes.keys.sorted().map { "\($0) \(hashes[$0]!.prefix(12))" }.joined(separator: ", ") }
        var theirs = ResumeCheck.fields(of: saved.config), mine = ResumeCheck.fields(of: config)
        theirs["tokenizer"] = tokenizer(saved.tokenizer)
        mine["tokenizer"] = tokenizer(ModelCheckpoint.tokenizerHashes(tokenizerDirectory))
        theirs["training samples"] = String(saved.sampleCount)
        mine["training samples"] = String(order.sampleCount)
        if let data = saved.dataHash {
            theirs["data"] = String(data.prefix(16))
            mine["data"] = String(objective.dataHash.prefix(16))
        } else {
            note("resume: \(info.directory.lastPathComponent) predates data fingerprints; only the number of training samples was compared")
        }
        // Exact sums may be switched on or off; state.json's `exact`, not the stored config (older
        // ones get today's default), says whether the steps so far were.
        theirs["distributed.exact"] = nil
        mine["distributed.exact"] = nil
        try ResumeCheck.verify(saved: theirs, current: mine, checkpoint: info.directory, acceptInexact: acceptInexact, note: note)
        if let line = ResumeCheck.exactNote(savedExact: saved.exact == true, exact: config.distributed.exact, step: saved.step) { note(line) }
        if let adapter = model.lora {
            try loadAdapterCheckpoint(adapter, from: info.directory)
        } else {
            let moments = try checkpointOptimizer(reading: true)
            try ModelCheckpoint.load(from: info.directory, into: model, optimizer: moments.adam, muon: moments.muon)
        }
        try objective.loadCheckpointFiles(from: info.directory)
        loadedState = saved
        return Array(info.state)
    }

    /// Every rank, with rank 0's state bytes already shared: takes rank 0's loaded weights and
    /// AdamW moments, so training continues exactly where the checkpoint left off.
    public func adoptCheckpoint(stateBytes shared: [UInt8]) throws {
        try shareReplica(optimizerState: true)
        // Rank 0 decoded the state when it loaded the checkpoint; the others decode its bytes.
        let saved = try loadedState ?? TrainingState.read(Data(shared), path: "checkpoint state")
        loadedState = nil
        step = saved.step
        tokensSeen = saved.tokensSeen
        lastValidationLoss = saved.lastValidationLoss
        trainingSeconds = saved.trainingSeconds ?? 0
        exactThroughout = config.distributed.exact && saved.exact == true
        if let loss = saved.bestValidationLoss, let bestStep = saved.bestStep { best = (loss, bestStep) }
    }
}
