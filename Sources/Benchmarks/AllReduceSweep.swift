import Collectives
import Training

extension AllReduceBenchmark {
    /// One size of `trainer bench --allreduce --sizes`: a plain MPI_Allreduce's median milliseconds.
    public struct SweepPoint: Sendable, Codable, Equatable {
        public var bytes: Int
        public var ms: Double
    }

    /// Times one plain (blocking, in-place) MPI_Allreduce of each size in `sizes` (bytes, rounded
    /// up to whole floats): the points `trainer bench --fit` fits α and β to. All ranks must call it.
    public static func sweep(sizes: [Int], comm: Communicator, repetitions: Int) throws(CollectiveError) -> [SweepPoint] {
        var points: [SweepPoint] = []
        for bytes in sizes {
            let count = max(1, (bytes + 3) / 4)
            let buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: count)
            defer { buffer.deallocate() }
            buffer.initialize(repeating: 1e-3)
            try comm.allReduceSum(buffer)  // warm-up: connections, registration
            var times: [Double] = []
            for _ in 0..<max(1, repetitions) {
                try comm.barrier()
                let start = monotonicSeconds()
                try comm.allReduceSum(buffer)
                times.append(monotonicSeconds() - start)
            }
            points.append(SweepPoint(bytes: count * 4, ms: times.sorted()[times.count / 2] * 1000))
        }
        return points
    }
}
