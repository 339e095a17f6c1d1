import Checkpoints
import Collectives
import Data
import Foundation
import GPT

/// The classification head's files in a checkpoint directory.
public enum ClassifierCheckpoint {
    /// AdamW moments of the head.
    public static let optimizerFile = "classifier_optimizer.safetensors"

    /// The head's AdamW moments; `score.weight` itself is in model.safetensors (ModelCheckpoint.writers).
    static func writers(head: ClassifierHead) -> [(name: String, write: (URL) throws -> Void)] {
        let shape = [head.classes, head.channels]
        func tensor(_ name: String, _ b: UnsafeMutableBufferPointer<Float>) -> SafetensorsTensor {
            SafetensorsTensor(name: name, dtype: .f32, shape: shape, borrowing: UnsafeRawBufferPointer(UnsafeBufferPointer(b)))
        }
        return [
            (optimizerFile, { url in try Safetensors.write(tensors: [tensor("exp_avg.score.weight", head.m), tensor("exp_avg_sq.score.weight", head.v)], metadata: ["optimizer": "AdamW"], to: url) }),
        ]
    }

    /// Loads `score.weight` (and, with `optimizer`, its moments) from a checkpoint directory.
    public static func load(from directory: URL, into head: ClassifierHead, optimizer: Bool) throws {
        let shape = [head.classes, head.channels]
        try ModelCheckpoint.loadClassifier(from: directory, into: head)
        guard optimizer else { return }
        let moments = try SafetensorsFile(url: directory.appendingPathComponent(optimizerFile))
        try moments.copyFloats(named: "exp_avg.score.weight", shape: shape, into: head.m)
        try moments.copyFloats(named: "exp_avg_sq.score.weight", shape: shape, into: head.v)
    }
}

extension FinetuneTrainer {
    func state(learningRate: Double) -> TrainingState {
        TrainingState(step: step, tokensSeen: tokensSeen, sequencesPerStep: plan.sequencesPerStep, order: order, learningRate: learningRate,
                      config: config, tokenizerDirectory: tokenizerDirectory, worldSize: comm.size,
                      lastValidationLoss: lastValidationLoss, best: best)
    }

    /// Rank 0: writes a checkpoint of the current step (model, AdamW, tokenizer, and for classify
    /// the head), then drops old ones, keeping the best by validation loss.
    @discardableResult
    public func saveCheckpoint(learningRate: Double) throws -> CheckpointInfo {
        var files = ModelCheckpoint.writers(model: model, optimizer: optimizer, tokenizerDirectory: tokenizerDirectory,
                                            classifier: head.map { ($0, labels) })
        if let head { files += ClassifierCheckpoint.writers(head: head) }
        let info = try store.save(step: step, files: files, state: state(learningRate: learningRate).encoded())
        try store.prune(keep: config.checkpoint.keep, bestStep: best?.step)
        return info
    }

    /// Rank 0: loads a checkpoint of this fine-tuning run (weights, moments, head) after checking
    /// that it is the same task, model, labels and tokenizer; returns its state.json bytes.
    public func loadCheckpoint(_ info: CheckpointInfo) throws -> [UInt8] {
        let saved = try TrainingState.read(info.state, path: info.file(CheckpointStore.stateFileName).path)
        let mine = config.finetuneSection, theirs = saved.config.finetuneSection
        guard saved.config.model == config.model, theirs.task == mine.task, theirs.labels == mine.labels else {
            throw TrainingError("\(info.directory.path) is not a checkpoint of this fine-tuning run (its model, task or labels differ: task \(theirs.task), labels \"\(theirs.labels)\"); resume with the config that made it, or choose another checkpoint.dir")
        }
        guard saved.tokenizer == ModelCheckpoint.tokenizerHashes(tokenizerDirectory) else {
            throw TrainingError("\(info.directory.path) was trained with another tokenizer than the one of \(config.finetuneSection.initFrom); resume with the init_from it was started from")
        }
        try ModelCheckpoint.load(from: info.directory, into: model, optimizer: optimizer)
        if let head { try ClassifierCheckpoint.load(from: info.directory, into: head, optimizer: true) }
        return Array(info.state)
    }

    /// Every rank: takes rank 0's loaded tensors and state.
    public func adoptCheckpoint(stateBytes shared: [UInt8]) throws {
        for buffer in [model.parameters, optimizer.m, optimizer.v] { try comm.broadcast(UnsafeMutableRawBufferPointer(buffer), root: 0) }
        if let head { for buffer in [head.weight, head.m, head.v] { try comm.broadcast(UnsafeMutableRawBufferPointer(buffer), root: 0) } }
        let saved = try TrainingState.read(Data(shared), path: "checkpoint state")
        step = saved.step
        tokensSeen = saved.tokensSeen
        lastValidationLoss = saved.lastValidationLoss
        if let loss = saved.bestValidationLoss, let bestStep = saved.bestStep { best = (loss, bestStep) }
        // Frozen weights are those of the pre-trained model, unchanged in the checkpoint.
        try start(from: nil)
    }
}
