import Checkpoints
import Collectives
import Data
import Foundation
import GPT

extension Trainer {
    /// The state.json contents for the current step.
    func state(learningRate: Double) -> TrainingState {
        TrainingState(step: step, tokensSeen: tokensSeen, sequencesPerStep: plan.sequencesPerStep, order: order, learningRate: learningRate,
                      config: config, tokenizerDirectory: tokenizerDirectory, worldSize: comm.size,
                      lastValidationLoss: lastValidationLoss, best: best)
    }

    /// Rank 0: writes a checkpoint of the current step, then drops old ones (keeping the best).
    @discardableResult
    public func saveCheckpoint(learningRate: Double) throws -> CheckpointInfo {
        var files = ModelCheckpoint.writers(model: model, optimizer: optimizer, tokenizerDirectory: tokenizerDirectory)
        if let fault, fault.kind == .crashInSave, fault.fires(rank: comm.rank, step: step) {
            // Dies with the tensors written but the checkpoint not yet complete.
            files.append(("fault", { _ in fault.strike() }))
        }
        let info = try store.save(step: step, files: files, state: state(learningRate: learningRate).encoded())
        try store.prune(keep: config.checkpoint.keep, bestStep: best?.step)
        return info
    }

    /// Rank 0: loads a checkpoint's tensors into this replica after checking that it fits the
    /// config and the tokenizer; returns its state.json bytes for `adoptCheckpoint`.
    public func loadCheckpoint(_ info: CheckpointInfo) throws -> [UInt8] {
        let path = info.file(CheckpointStore.stateFileName).path
        let saved = try TrainingState.read(info.state, path: path)
        guard saved.config.model == config.model else {
            let m = saved.config.model, c = config.model
            throw TrainingError("\(info.directory.path) holds a model with n_layer \(m.nLayer), n_head \(m.nHead), n_embd \(m.nEmbd), block_size \(m.blockSize), vocab_size \(m.vocabSize), but the config asks for \(c.nLayer), \(c.nHead), \(c.nEmbd), \(c.blockSize), \(c.vocabSize); resume with the config that trained it, or start a new checkpoint.dir")
        }
        guard saved.tokenizer == ModelCheckpoint.tokenizerHashes(tokenizerDirectory) else {
            throw TrainingError("\(info.directory.path) was trained with another tokenizer than the one in \(tokenizerDirectory.path); point data.dir at the tokenizer it was trained with")
        }
        try ModelCheckpoint.load(from: info.directory, into: model, optimizer: optimizer)
        return Array(info.state)
    }

    /// Every rank, with rank 0's state bytes already shared: takes rank 0's loaded weights and
    /// AdamW moments, so training continues exactly where the checkpoint left off.
    public func adoptCheckpoint(stateBytes shared: [UInt8]) throws {
        try comm.broadcast(UnsafeMutableRawBufferPointer(model.parameters), root: 0)
        try comm.broadcast(UnsafeMutableRawBufferPointer(optimizer.m), root: 0)
        try comm.broadcast(UnsafeMutableRawBufferPointer(optimizer.v), root: 0)
        let saved = try TrainingState.read(Data(shared), path: "checkpoint state")
        step = saved.step
        tokensSeen = saved.tokensSeen
        lastValidationLoss = saved.lastValidationLoss
        if let loss = saved.bestValidationLoss, let bestStep = saved.bestStep { best = (loss, bestStep) }
    }
}
