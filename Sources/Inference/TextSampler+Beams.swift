import RunConfig
import TaskEvaluation

extension TextSampler {
    /// The most likely continuation of `prompt` under beam search (transformers' `num_beams` and
    /// `length_penalty`, `do_sample=False`), as text bytes cut before the first of `stops`.
    ///
    /// Beam search keeps `beams` key/value caches of the whole block, so the prompt and the
    /// generation must fit in it together: the prompt keeps its last block + 1 − `maxTokens`
    /// tokens, and `maxTokens` above the block is an error the caller reports.
    public func beamSearch(prompt: [Int32], beams: Int, lengthPenalty: Double, maxTokens: Int, stops: [String]) throws -> [UInt8] {
        let block = blockSize
        guard maxTokens >= 1, maxTokens <= block else {
            throw TrainingError("--max-tokens \(maxTokens) with --beams: beam search generates within one block of \(block) tokens; use at most \(block)")
        }
        let context = Array(prompt.suffix(block + 1 - maxTokens))
        let eos = loaded.tokenizer.endOfText
        let tokens = BeamSearch(beams: beams, lengthPenalty: lengthPenalty)
            .generate(model: loaded.model, prompt: context, maxTokens: maxTokens, endOfText: eos)
        var filter = StopStrings(stops)
        var bytes: [UInt8] = []
        for token in tokens where token != eos {
            bytes += filter.push(loaded.tokenizer.bytes(ofToken: token))
            if filter.stopped { break }
        }
        return bytes + filter.finish()
    }
}
