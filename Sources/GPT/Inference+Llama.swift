// One cached decoding step of the Llama family: as GPTModel+Llama.swift for one position, with q
// and k rotated to the absolute position `length` before k enters the cache.

extension GPTInference {
    /// One Llama position: x through the blocks, the final RMSNorm's output left in `ln`.
    func llamaStep(token: Int32) {
        let model = self.model, config = model.config, layout = model.layout
        let C = config.nEmbd, NH = config.nHead, HS = config.headSize, I = config.resolvedIntermediateSize
        let eps = Float(config.normEps)
        let p = model.parameters.baseAddress!, tables = model.acts.baseAddress!, rope = model.actLayout.llama
        var tok = token
        encoderForward(out: x, tokens: &tok, wte: p + layout.wteOffset, wpe: nil, batch: 1, sequence: 1, channels: C)
        for l in 0..<config.nLayer {
            let w = LlamaLayerParameters(base: p, layout: layout, layer: l)
            rmsNormForward(out: ln, rstd: stats, inp: x, weight: w.inputNorm, rows: 1, channels: C, eps: eps)
            linearForward(out: qkv, inp: ln, weight: w.qkvWeight, rows: 1, inChannels: C, outChannels: 3 * C, accumulate: false)
            if config.qkNorm {
                rmsNormForward(out: qkv, rstd: stats + 2, inp: qkv, weight: w.qNorm, rows: NH, channels: HS, eps: eps)
                rmsNormForward(out: qkv + C, rstd: stats + 2 + NH, inp: qkv + C, weight: w.kNorm, rows: NH, channels: HS, eps: eps)
            }
            rotaryForward(qkv: qkv, cos: tables + rope.ropeCos, sin: tables + rope.ropeSin, rows: 1, sequence: 1,
                          firstPosition: length, channels: C, heads: NH)
            attend(layer: l)
            linearForward(out: x, inp: atty, weight: w.oProj, rows: 1, inChannels: C, outChannels: C, accumulate: true)
            rmsNormForward(out: ln, rstd: stats, inp: x, weight: w.postNorm, rows: 1, channels: C, eps: eps)
            linearForward(out: fch, inp: ln, weight: w.gateUpWeight, rows: 1, inChannels: C, outChannels: 2 * I, accumulate: false)
            swigluForward(out: fchGelu, gateUp: fch, rows: 1, hidden: I)
            linearForward(out: x, inp: fchGelu, weight: w.downProj, rows: 1, inChannels: I, outChannels: C, accumulate: true)
        }
        rmsNormForward(out: ln, rstd: stats, inp: x, weight: p + layout.lnfWeightOffset, rows: 1, channels: C, eps: eps)
    }
}
