import Foundation

/// What the launcher (mpirun, srun, Hydra) tells a process through its environment, read in one
/// place and bounded, so that every caller sees the same values and fallbacks before MPI starts.
public struct LaunchEnvironment: Sendable, Equatable {
    /// This process's rank in the job (0 without a launcher).
    public var rank: Int
    /// Ranks in the job (1 without a launcher).
    public var worldSize: Int
    /// This process's rank among the job's ranks on its machine.
    public var localRank: Int
    /// The job's ranks on this machine (1 without a launcher).
    public var localSize: Int
    /// A thread count set for OpenBLAS (OPENBLAS_NUM_THREADS, GOTO_NUM_THREADS, OMP_NUM_THREADS:
    /// OpenBLAS's own order), when one is set to a positive number.
    public var threads: Int?

    /// The environment of this process.
    public static let current = LaunchEnvironment(ProcessInfo.processInfo.environment)

    /// Reads the launcher's variables from `env`; counts are bounded to 1...1,000,000 so that no
    /// product of them can overflow, and a value that is not a number counts as absent.
    public init(_ env: [String: String]) {
        func number(_ names: [String], in range: ClosedRange<Int>) -> Int? {
            names.lazy.compactMap { env[$0].flatMap { Int($0) } }.first.flatMap { range.contains($0) ? $0 : nil }
        }
        let counts = 1...1_000_000
        worldSize = number(["OMPI_COMM_WORLD_SIZE", "PMI_SIZE"], in: counts) ?? 1
        rank = number(["OMPI_COMM_WORLD_RANK", "PMIX_RANK"], in: 0...(worldSize - 1)) ?? 0
        localSize = number(["OMPI_COMM_WORLD_LOCAL_SIZE", "MPI_LOCALNRANKS"], in: counts) ?? 1
        localRank = number(["OMPI_COMM_WORLD_LOCAL_RANK", "MPI_LOCALRANKID"], in: 0...(localSize - 1)) ?? 0
        threads = ["OPENBLAS_NUM_THREADS", "GOTO_NUM_THREADS", "OMP_NUM_THREADS"]
            .lazy.compactMap { env[$0].flatMap(Int.init) }.first.flatMap { $0 > 0 ? min($0, 1 << 20) : nil }
    }

    /// True for the first rank on a machine: it speaks for the machine (warnings about its cores).
    public var isFirstOnMachine: Bool { localRank == 0 }
}
