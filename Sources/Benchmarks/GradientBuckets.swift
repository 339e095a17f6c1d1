import GPT
import RunConfig

/// The buckets GradientSync reduces for a config, in the order it starts them (bytes each), for
/// the scaling model.
public enum GradientBuckets {
    /// With overlap: backward's ranges (ln_f, the blocks last to first, the embeddings) merged until
    /// they hold at least bucket_mb, as GradientSync.gradientsFinal merges them, each merged range
    /// started as bucket_mb chunks; the last holds the embeddings, final only when backward ends.
    /// Without overlap: bucket_mb chunks of the whole buffer.
    public static func sizes(config: TrainConfig, overlap: Bool) -> [Double] {
        let layout = ParameterLayout(config: config.model)
        let bucket = max(1024, Int(config.distributed.bucketMb * 1024 * 1024) / 4)
        guard overlap else {
            return stride(from: 0, to: layout.totalCount, by: bucket).map { Double(4 * min(bucket, layout.totalCount - $0)) }
        }
        let ranges = [layout.finalNormRange] + (0..<config.model.nLayer).reversed().map(layout.layerRange) + [layout.embeddingRange]
        // A flushed range starts as bucket_mb chunks (GradientSync.flushPending).
        func chunks(_ n: Int) -> [Double] { stride(from: 0, to: n, by: bucket).map { Double(4 * min(bucket, n - $0)) } }
        var sizes: [Double] = [], pending = 0
        for range in ranges {
            pending += range.count
            if pending >= bucket { sizes += chunks(pending); pending = 0 }
        }
        return sizes + chunks(pending)
    }
}
