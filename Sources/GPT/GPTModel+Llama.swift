// The Llama trunk, as transformers' LlamaDecoderLayer / Qwen3DecoderLayer compute it:
//   h = RMSNorm(x); q, k, v = h·Wqᵀ, h·Wkᵀ, h·Wvᵀ; (Qwen3: q, k = RMSNorm per head);
//   q, k = rope(q), rope(k); x += o_proj(attention(q, k, v))
//   h = RMSNorm(x); x += down_proj(silu(gate_proj(h)) · up_proj(h))
// then a final RMSNorm; no biases anywhere, no learned positions.

extension GPTModel {
    /// Token embeddings through the blocks to the final RMSNorm's output (acts.lnf).
    func llamaTrunkForward(batch B: Int, sequence T: Int) {
        let C = config.nEmbd, NH = config.nHead, BT = B * T, eps = Float(config.normEps)
        let I = config.resolvedIntermediateSize
        let a = acts.baseAddress!, s = actLayout
        let p = parameters.baseAddress!
        timed(.encoderForward, floats: 2 * BT * C) {
            encoderForward(out: a + s.encoded, tokens: inputs.baseAddress!, wte: p + layout.wteOffset,
                           wpe: nil, batch: B, sequence: T, channels: C)
        }
        var residual = a + s.encoded
        for l in 0..<config.nLayer {
            let w = LlamaLayerParameters(base: p, layout: layout, layer: l)
            let x = LlamaLayerActivations(base: a, layout: s, layer: l)
            timed(.rmsNormForward, floats: 2 * BT * C + BT) {
                rmsNormForward(out: x.ln1, rstd: x.ln1Rstd, inp: residual, weight: w.inputNorm, rows: BT, channels: C, eps: eps)
            }
            llamaQKV(x, w, layer: l, batch: B, sequence: T)
            timedAttentionForward(out: x.atty, att: x.att, qkv: x.qkv, batch: B, sequence: T, channels: C, heads: NH)
            timed(.residual, floats: 2 * BT * C) { x.residual2.update(from: residual, count: BT * C) }
            timedLinearForward(out: x.residual2, inp: x.atty, weight: w.oProj, rows: BT, inChannels: C, outChannels: C, accumulate: true)
            loraForward(.o, layer: l, x: x.atty, y: x.residual2)
            timed(.rmsNormForward, floats: 2 * BT * C + BT) {
                rmsNormForward(out: x.ln2, rstd: x.ln2Rstd, inp: x.residual2, weight: w.postNorm, rows: BT, channels: C, eps: eps)
            }
            timedLinearForward(out: x.gateUp, inp: x.ln2, weight: w.gateUpWeight, rows: BT, inChannels: C, outChannels: 2 * I, accumulate: false)
            for adapted in [LoRAProjection.gate, .up] { loraForward(adapted, layer: l, x: x.ln2, y: x.gateUp) }
            timed(.swigluForward, floats: 3 * BT * I) { swigluForward(out: x.hidden, gateUp: x.gateUp, rows: BT, hidden: I) }
            timed(.residual, floats: 2 * BT * C) { x.residual3.update(from: x.residual2, count: BT * C) }
            timedLinearForward(out: x.residual3, inp: x.hidden, weight: w.downProj, rows: BT, inChannels: I, outChannels: C, accumulate: true)
            loraForward(.down, layer: l, x: x.hidden, y: x.residual3)
            residual = x.residual3
        }
        timed(.rmsNormForward, floats: 2 * BT * C + BT) {
            rmsNormForward(out: a + s.lnf, rstd: a + s.lnfRstd, inp: residual, weight: p + layout.lnfWeightOffset,
                           rows: BT, channels: C, eps: eps)
        }
    }

    /// x.qkv (B·T, 3C) = the q, k, v projections of x.ln1 (with their adapters, as PEFT adds them
    /// before Qwen3's q_norm and k_norm), q and k normalized per head (qk_norm) and rotated to
    /// their positions. With qk_norm the projections stay in x.qkvRaw for backward.
    private func llamaQKV(_ x: LlamaLayerActivations, _ w: LlamaLayerParameters, layer l: Int, batch B: Int, sequence T: Int) {
        let C = config.nEmbd, NH = config.nHead, HS = config.headSize, BT = B * T, eps = Float(config.normEps)
        let a = acts.baseAddress!, s = actLayout
        let projected = config.qkNorm ? x.qkvRaw : x.qkv
        timedLinearForward(out: projected, inp: x.ln1, weight: w.qkvWeight, rows: BT, inChannels: C, outChannels: 3 * C, accumulate: false)
        for adapted in [LoRAProjection.q, .k, .v] { loraForward(adapted, layer: l, x: x.ln1, y: projected) }
        if config.qkNorm {
            timed(.rmsNormForward, floats: 4 * BT * C + 2 * BT * NH) {
                rmsNormForward(out: x.qkv, rstd: x.qRstd, inp: x.qkvRaw, weight: w.qNorm, rows: BT * NH, channels: HS,
                               eps: eps, groups: NH, stride: 3 * C)
                rmsNormForward(out: x.qkv + C, rstd: x.kRstd, inp: x.qkvRaw + C, weight: w.kNorm, rows: BT * NH, channels: HS,
                               eps: eps, groups: NH, stride: 3 * C)
            }
            timed(.residual, floats: 2 * BT * C) {
                parallelFor(BT) { rows in
                    for r in rows { (x.qkv + r * 3 * C + 2 * C).update(from: x.qkvRaw + r * 3 * C + 2 * C, count: C) }
                }
            }
        }
        timed(.rotaryForward, floats: 4 * BT * C) {
            rotaryForward(qkv: x.qkv, cos: a + s.llama.ropeCos, sin: a + s.llama.ropeSin, rows: BT, sequence: T,
                          firstPosition: 0, channels: C, heads: NH)
        }
    }

    /// From the gradient on the final RMSNorm's output (in dSmall) down to the token embedding,
    /// reporting model.norm, each block (last first), then the embedding as final. A frozen base
    /// (LoRA) takes only the input gradients and the adapters': its norm gains' go to the sink,
    /// the weight GEMMs and the embedding's backward are skipped.
    func llamaTrunkBackward(onFinalGradients: ((Range<Int>) -> Void)?) {
        let B = lastBatch, T = lastSequence, BT = B * T
        let C = config.nEmbd, NH = config.nHead, I = config.resolvedIntermediateSize
        let a = acts.baseAddress!, s = actLayout
        let p = parameters.baseAddress!, g = gradients.baseAddress ?? gradientSink
        let dResidual = a + s.dResidual, dSmall = a + s.dSmall, dWide = a + s.dWide, dHidden = a + s.llama.dHidden
        func residualInto(_ l: Int) -> UnsafeMutablePointer<Float> {
            l == 0 ? a + s.encoded : LlamaLayerActivations(base: a, layout: s, layer: l - 1).residual3
        }
        timed(.rmsNormBackward, floats: 3 * BT * C + BT) {
            rmsNormBackward(dinp: dResidual, dweight: baseGradient(g + layout.lnfWeightOffset), dout: dSmall, inp: residualInto(config.nLayer),
                            weight: p + layout.lnfWeightOffset, rstd: a + s.lnfRstd, rows: BT, channels: C, accumulate: false)
        }
        onFinalGradients?(layout.finalNormRange)

        // dResidual always holds the gradient of the residual stream at the current point.
        for l in stride(from: config.nLayer - 1, through: 0, by: -1) {
            let w = LlamaLayerParameters(base: p, layout: layout, layer: l)
            let dw = LlamaLayerParameters(base: g, layout: layout, layer: l)
            let x = LlamaLayerActivations(base: a, layout: s, layer: l)
            timedLinearBackward(dinp: dHidden, dweight: dw.downProj, dout: dResidual, inp: x.hidden, weight: w.downProj,
                           rows: BT, inChannels: I, outChannels: C)
            loraBackward(.down, layer: l, x: x.hidden, dy: dResidual, dx: dHidden)
            timed(.swigluBackward, floats: 5 * BT * I) { swigluBackward(dgateUp: dWide, dout: dHidden, gateUp: x.gateUp, rows: BT, hidden: I) }
            timedLinearBackward(dinp: dSmall, dweight: dw.gateUpWeight, dout: dWide, inp: x.ln2, weight: w.gateUpWeight,
                           rows: BT, inChannels: C, outChannels: 2 * I)
            for adapted in [LoRAProjection.gate, .up] { loraBackward(adapted, layer: l, x: x.ln2, dy: dWide, dx: dSmall) }
            timed(.rmsNormBackward, floats: 4 * BT * C + BT) {
                rmsNormBackward(dinp: dResidual, dweight: baseGradient(dw.postNorm), dout: dSmall, inp: x.residual2, weight: w.postNorm,
                                rstd: x.ln2Rstd, rows: BT, channels: C, accumulate: true)
            }
            timedLinearBackward(dinp: dSmall, dweight: dw.oProj, dout: dResidual, inp: x.atty, weight: w.oProj,
                           rows: BT, inChannels: C, outChannels: C)
            loraBackward(.o, layer: l, x: x.atty, dy: dResidual, dx: dSmall)
            timedAttentionBackward(dqkv: dWide, datt: a + s.dAtt, dout: dSmall, qkv: x.qkv, att: x.att,
                              batch: B, sequence: T, channels: C, heads: NH)
            timed(.rotaryBackward, floats: 4 * BT * C) {
                rotaryBackward(dqkv: dWide, cos: a + s.llama.ropeCos, sin: a + s.llama.ropeSin, rows: BT, sequence: T,
                               channels: C, heads: NH)
            }
            if config.qkNorm { llamaQKNormBackward(dqkv: dWide, x, w, dw) }
            timedLinearBackward(dinp: dSmall, dweight: dw.qkvWeight, dout: dWide, inp: x.ln1, weight: w.qkvWeight,
                           rows: BT, inChannels: C, outChannels: 3 * C)
            for adapted in [LoRAProjection.q, .k, .v] { loraBackward(adapted, layer: l, x: x.ln1, dy: dWide, dx: dSmall) }
            timed(.rmsNormBackward, floats: 4 * BT * C + BT) {
                rmsNormBackward(dinp: dResidual, dweight: baseGradient(dw.inputNorm), dout: dSmall, inp: residualInto(l), weight: w.inputNorm,
                                rstd: x.ln1Rstd, rows: BT, channels: C, accumulate: true)
            }
            onFinalGradients?(layout.layerRange(l))
        }
        guard trainsBase else { return }
        timed(.encoderBackward, floats: 3 * BT * C) {
            encoderBackward(dwte: g + layout.wteOffset, dwpe: nil, dout: dResidual, tokens: inputs.baseAddress!,
                            batch: B, sequence: T, channels: C)
        }
        onFinalGradients?(layout.embeddingRange)
    }

    /// qk_norm's backward, in place: the gradients on the normalized q and k in `dqkv` become
    /// those on the projections.
    private func llamaQKNormBackward(dqkv: UnsafeMutablePointer<Float>, _ x: LlamaLayerActivations,
                                     _ w: LlamaLayerParameters, _ dw: LlamaLayerParameters) {
        let C = config.nEmbd, NH = config.nHead, HS = config.headSize, BT = lastBatch * lastSequence
        timed(.rmsNormBackward, floats: 6 * BT * C + 2 * BT * NH) {
            rmsNormBackward(dinp: dqkv, dweight: baseGradient(dw.qNorm), dout: dqkv, inp: x.qkvRaw, weight: w.qNorm, rstd: x.qRstd,
                            rows: BT * NH, channels: HS, accumulate: false, groups: NH, stride: 3 * C)
            rmsNormBackward(dinp: dqkv + C, dweight: baseGradient(dw.kNorm), dout: dqkv + C, inp: x.qkvRaw + C, weight: w.kNorm,
                            rstd: x.kRstd, rows: BT * NH, channels: HS, accumulate: false, groups: NH, stride: 3 * C)
        }
    }
}
