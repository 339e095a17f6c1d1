import Foundation

/// How many OpenBLAS (and kernel) threads one rank runs, and whether the node is oversubscribed.
///
/// A thread count from the environment (OPENBLAS_NUM_THREADS, GOTO_NUM_THREADS, OMP_NUM_THREADS:
/// OpenBLAS's order) is kept. Without one, a rank takes its node's cores divided by the ranks on
/// that node (Open MPI's OMPI_COMM_WORLD_LOCAL_SIZE, Hydra's MPI_LOCALNRANKS), at least one and at
/// most the cores it is allowed to run on (mpirun binds ranks to cores by default).
public struct ThreadChoice: Sendable, Equatable {
    /// Threads for this rank.
    public var threads: Int
    /// A line for the user when ranks × threads exceed the node's cores, or when mpirun's binding
    /// keeps a rank from using the cores left to it; nil otherwise.
    public var warning: String?

    /// The choice for a rank with `environment`, on a node with `nodeCores` online cores, allowed
    /// to run on `allowedCores` of them.
    public static func choose(environment env: [String: String], nodeCores: Int, allowedCores: Int) -> ThreadChoice {
        choose(launch: LaunchEnvironment(env), nodeCores: nodeCores, allowedCores: allowedCores)
    }

    /// The choice for a rank started as `launch` says, on a node with `nodeCores` online cores,
    /// allowed to run on `allowedCores` of them.
    public static func choose(launch: LaunchEnvironment, nodeCores: Int, allowedCores: Int) -> ThreadChoice {
        // LaunchEnvironment bounds its counts, so that no product below can overflow.
        let cores = min(1 << 20, max(1, nodeCores))
        let ranks = launch.localSize
        let onNode = "\(ranks) rank\(ranks == 1 ? "" : "s") on a node with \(cores) core\(cores == 1 ? "" : "s")"
        var choice: ThreadChoice
        if let threads = launch.threads {
            choice = ThreadChoice(threads: threads)
        } else {
            let share = max(1, cores / ranks)
            let threads = min(share, max(1, allowedCores))
            choice = ThreadChoice(threads: threads)
            if threads < share {
                choice.warning = "each rank may run on only \(allowedCores) core\(allowedCores == 1 ? "" : "s") (mpirun binds ranks to cores), so it uses \(threads) thread\(threads == 1 ? "" : "s") of the \(share) its share of the node allows; pass --bind-to none to mpirun to use them"
            }
        }
        if ranks * choice.threads > cores {
            choice.warning = "\(ranks) rank\(ranks == 1 ? "" : "s") × \(choice.threads) thread\(choice.threads == 1 ? "" : "s") = \(ranks * choice.threads) threads for \(onNode): they will slow each other down; "
                + (ranks > cores ? "start at most \(cores) ranks per node" : "unset OPENBLAS_NUM_THREADS to let each rank take \(max(1, cores / ranks)), or set it to that")
        }
        return choice
    }

    init(threads: Int, warning: String? = nil) {
        self.threads = threads
        self.warning = warning
    }

    /// Cores this process may run on (Linux: Cpus_allowed_list in /proc/self/status, e.g.
    /// "0-3,8"), or `fallback` where that cannot be read.
    public static func allowedCores(fallback: Int) -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Cpus_allowed_list:") }),
              let list = line.split(separator: ":").last else { return fallback }
        var count = 0
        for range in list.trimmingCharacters(in: .whitespaces).split(separator: ",") {
            let ends = range.split(separator: "-").compactMap { Int($0) }
            guard let first = ends.first, let last = ends.last, last >= first else { return fallback }
            count += last - first + 1
        }
        return count > 0 ? count : fallback
    }
}
