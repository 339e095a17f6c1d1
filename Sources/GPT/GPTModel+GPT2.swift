// The GPT-2 trunk: learned positions, LayerNorm, GELU MLP, biases (llm.c's train_gpt2.c).

extension GPTModel {
    /// Embeddings through the blocks to the final LayerNorm's output (acts.lnf).
    func gpt2TrunkForward(batch B: Int, sequence T: Int) {
        let C = config.nEmbd, NH = config.nHead, BT = B * T
        let a = acts.baseAddress!, s = actLayout
        let p = parameters.baseAddress!
        timed(.encoderForward, floats: 3 * BT * C) {
            encoderForward(out: a + s.encoded, tokens: inputs.baseAddress!, wte: p + layout.wteOffset,
                           wpe: p + layout.wpeOffset, batch: B, sequence: T, channels: C)
        }
        var residual = a + s.encoded
        for l in 0..<config.nLayer {
            let w = LayerParameters(base: p, layout: layout, layer: l)
            let x = LayerActivations(base: a, layout: s, layer: l)
            timed(.layerNormForward, floats: 2 * BT * C + 2 * BT) {
                layerNormForward(out: x.ln1, mean: x.ln1Mean, rstd: x.ln1Rstd, inp: residual,
                                 weight: w.ln1Weight, bias: w.ln1Bias, rows: BT, channels: C)
            }
            timedMatmulForward(out: x.qkv, inp: x.ln1, weight: w.qkvWeight, bias: w.qkvBias,
                          rows: BT, inChannels: C, outChannels: 3 * C, accumulate: false)
            loraForward(.attnQKV, layer: l, x: x.ln1, y: x.qkv)
            timedAttentionForward(out: x.atty, att: x.att, qkv: x.qkv, batch: B, sequence: T, channels: C, heads: NH)
            // residual2 = residual + attention's projection (the stream copied with the bias added).
            timedMatmulForward(out: x.residual2, inp: x.atty, weight: w.attnProjWeight, bias: w.attnProjBias, residual: residual,
                          rows: BT, inChannels: C, outChannels: C, accumulate: false)
            loraForward(.attnProj, layer: l, x: x.atty, y: x.residual2)
            timed(.layerNormForward, floats: 2 * BT * C + 2 * BT) {
                layerNormForward(out: x.ln2, mean: x.ln2Mean, rstd: x.ln2Rstd, inp: x.residual2,
                                 weight: w.ln2Weight, bias: w.ln2Bias, rows: BT, channels: C)
            }
            timedMatmulForward(out: x.fch, inp: x.ln2, weight: w.fcWeight, bias: w.fcBias,
                          rows: BT, inChannels: C, outChannels: 4 * C, accumulate: false)
            loraForward(.fc, layer: l, x: x.ln2, y: x.fch)
            timed(.geluForward, floats: 8 * BT * C) { geluForward(out: x.fchGelu, inp: x.fch, count: BT * 4 * C) }
            timedMatmulForward(out: x.residual3, inp: x.fchGelu, weight: w.fcProjWeight, bias: w.fcProjBias, residual: x.residual2,
                          rows: BT, inChannels: 4 * C, outChannels: C, accumulate: false)
            loraForward(.mlpProj, layer: l, x: x.fchGelu, y: x.residual3)
            residual = x.residual3
        }
        timed(.layerNormForward, floats: 2 * BT * C + 2 * BT) {
            layerNormForward(out: a + s.lnf, mean: a + s.lnfMean, rstd: a + s.lnfRstd, inp: residual,
                             weight: p + layout.lnfWeightOffset, bias: p + layout.lnfBiasOffset, rows: BT, channels: C)
        }
    }

    /// From the gradient on the final LayerNorm's output (in dSmall) down to the embeddings,
    /// reporting ln_f, each block (last first), then the embeddings as final.
    func gpt2TrunkBackward(onFinalGradients: ((Range<Int>) -> Void)?) {
        let B = lastBatch, T = lastSequence, BT = B * T
        let C = config.nEmbd, NH = config.nHead
        let a = acts.baseAddress!, s = actLayout
        let p = parameters.baseAddress!, g = gradients.baseAddress ?? gradientSink
        let dResidual = a + s.dResidual, dSmall = a + s.dSmall, dWide = a + s.dWide
        let lastResidual = config.nLayer == 0
            ? a + s.encoded : LayerActivations(base: a, layout: s, layer: config.nLayer - 1).residual3
        timed(.residual, floats: BT * C) { dResidual.update(repeating: 0, count: BT * C) }
        timed(.layerNormBackward, floats: 4 * BT * C + 2 * BT) {
            layerNormBackward(dinp: dResidual, dweight: baseGradient(g + layout.lnfWeightOffset), dbias: baseGradient(g + layout.lnfBiasOffset, bias: true),
                              dout: dSmall, inp: lastResidual, weight: p + layout.lnfWeightOffset,
                              mean: a + s.lnfMean, rstd: a + s.lnfRstd, rows: BT, channels: C)
        }
        onFinalGradients?(layout.finalNormRange)

        // dResidual always holds the gradient of the residual stream at the current point.
        for l in stride(from: config.nLayer - 1, through: 0, by: -1) {
            let w = LayerParameters(base: p, layout: layout, layer: l)
            let dw = LayerParameters(base: g, layout: layout, layer: l)
            let x = LayerActivations(base: a, layout: s, layer: l)
            let input = l == 0 ? a + s.encoded : LayerActivations(base: a, layout: s, layer: l - 1).residual3
            timedMatmulBackward(dinp: dWide, dweight: dw.fcProjWeight, dbias: dw.fcProjBias, dout: dResidual,
                           inp: x.fchGelu, weight: w.fcProjWeight, rows: BT, inChannels: 4 * C, outChannels: C)
            loraBackward(.mlpProj, layer: l, x: x.fchGelu, dy: dResidual, dx: dWide)
            timed(.geluBackward, floats: 12 * BT * C) { geluBackwardInPlace(dx: dWide, inp: x.fch, count: BT * 4 * C) }
            timedMatmulBackward(dinp: dSmall, dweight: dw.fcWeight, dbias: dw.fcBias, dout: dWide,
                           inp: x.ln2, weight: w.fcWeight, rows: BT, inChannels: C, outChannels: 4 * C)
            loraBackward(.fc, layer: l, x: x.ln2, dy: dWide, dx: dSmall)
            timed(.layerNormBackward, floats: 4 * BT * C + 2 * BT) {
                layerNormBackward(dinp: dResidual, dweight: baseGradient(dw.ln2Weight), dbias: baseGradient(dw.ln2Bias, bias: true), dout: dSmall,
                                  inp: x.residual2, weight: w.ln2Weight, mean: x.ln2Mean, rstd: x.ln2Rstd,
                                  rows: BT, channels: C)
            }
            timedMatmulBackward(dinp: dSmall, dweight: dw.attnProjWeight, dbias: dw.attnProjBias, dout: dResidual,
                           inp: x.atty, weight: w.attnProjWeight, rows: BT, inChannels: C, outChannels: C)
            loraBackward(.attnProj, layer: l, x: x.atty, dy: dResidual, dx: dSmall)
            timedAttentionBackward(dqkv: dWide, datt: a + s.dAtt, dout: dSmall, qkv: x.qkv, att: x.att,
                              batch: B, sequence: T, channels: C, heads: NH)
            timedMatmulBackward(dinp: dSmall, dweight: dw.qkvWeight, dbias: dw.qkvBias, dout: dWide,
                           inp: x.ln1, weight: w.qkvWeight, rows: BT, inChannels: C, outChannels: 3 * C)
            loraBackward(.attnQKV, layer: l, x: x.ln1, dy: dWide, dx: dSmall)
            timed(.layerNormBackward, floats: 4 * BT * C + 2 * BT) {
                layerNormBackward(dinp: dResidual, dweight: baseGradient(dw.ln1Weight), dbias: baseGradient(dw.ln1Bias, bias: true), dout: dSmall,
                                  inp: input, weight: w.ln1Weight, mean: x.ln1Mean, rstd: x.ln1Rstd,
                                  rows: BT, channels: C)
            }
            onFinalGradients?(layout.layerRange(l))
        }
        guard trainsBase else { return }
        timed(.encoderBackward, floats: 5 * BT * C) {
            encoderBackward(dwte: g + layout.wteOffset, dwpe: g + layout.wpeOffset, dout: dResidual,
                            tokens: inputs.baseAddress!, batch: B, sequence: T, channels: C)
        }
        onFinalGradients?(layout.embeddingRange)
    }
}
