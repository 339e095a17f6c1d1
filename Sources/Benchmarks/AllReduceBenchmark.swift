import Collectives
import GPT
import RunConfig
import Training

/// Times the gradient all-reduce (`GradientSync`, as the training loop uses it) against one plain
/// MPI_Allreduce of the same bytes.
public enum AllReduceBenchmark {
    /// Median milliseconds of each way of summing a gradient buffer of the config's model.
    public struct Result: Sendable, Codable {
        public var bytes: Int
        public var plainMs: Double
        public var bucketedMs: Double
        public var overlappedMs: Double
        public var bucketMb: Double
        /// `--sizes`: plain MPI_Allreduce at each size (empty without it).
        public var sweep: [SweepPoint] = []
        /// bucketed ÷ plain (the loop's all-reduce without overlap; target ≤ 1.2).
        public var ratio: Double { bucketedMs / plainMs }
    }

    /// Runs each variant `repetitions` times after a warm-up (all ranks must call this).
    public static func run(config: TrainConfig, comm: Communicator, repetitions: Int = 20) throws(CollectiveError) -> Result {
        let layout = ParameterLayout(config: config.model)
        let buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: layout.totalCount)
        defer { buffer.deallocate() }
        buffer.initialize(repeating: 1e-3)
        let bucket = config.distributed.bucketMb
        let bucketed = GradientSync(comm: comm, gradients: buffer, bucketMiB: bucket, overlap: false)
        let overlapped = GradientSync(comm: comm, gradients: buffer, bucketMiB: bucket, overlap: true)
        // The ranges backward reports, in its order: ln_f, the blocks last to first, the embeddings.
        let ranges = [layout.finalNormRange] + (0..<config.model.nLayer).reversed().map(layout.layerRange) + [layout.embeddingRange]

        func median(_ body: () throws(CollectiveError) -> Void) throws(CollectiveError) -> Double {
            try body()
            var times: [Double] = []
            for _ in 0..<repetitions {
                try comm.barrier()
                let start = monotonicSeconds()
                try body()
                times.append(monotonicSeconds() - start)
            }
            // Each repetition starts after a barrier, so every rank times the same collective.
            return times.sorted()[times.count / 2] * 1000
        }
        let plain = try median { () throws(CollectiveError) in try comm.allReduceSum(buffer) }
        let flat = try median { () throws(CollectiveError) in bucketed.beginStep(); try bucketed.finish() }
        let over = try median { () throws(CollectiveError) in
            overlapped.beginStep()
            for r in ranges { try overlapped.gradientsFinal(r) }
            try overlapped.finish()
        }
        return Result(bytes: layout.totalCount * 4, plainMs: plain, bucketedMs: flat, overlappedMs: over, bucketMb: bucket)
    }
}
