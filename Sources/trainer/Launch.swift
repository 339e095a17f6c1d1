import Collectives
import Foundation
import RunConfig
import Training

/// Process start-up and shutdown shared by the commands: picks the communicator, and turns any
/// error into one stderr line and an exit that cannot leave other ranks waiting.
enum Launch {
    /// This process's rank as mpirun announced it, readable before MPI starts.
    static var launcherRank: Int { LaunchEnvironment.current.rank }

    /// The number of ranks mpirun announced, readable before MPI starts (1 without a launcher).
    static var launcherWorldSize: Int { LaunchEnvironment.current.worldSize }

    /// Exits with status 2 on every rank, printing `message` once (rank 0). Use before MPI starts:
    /// every rank reaches the same verdict from the same inputs. Under mpirun with several ranks
    /// MPI is started just to end in step: a rank that exited 2 at once made mpirun kill rank 0
    /// before it had printed the message.
    static func failBeforeMPI(_ message: String) -> Never {
        if MPICommunicator.launchedByMPI, launcherWorldSize > 1, let comm = try? MPICommunicator.start() {
            stopAll(comm, Log.line("error", message), code: 2)
        }
        if launcherRank == 0 { Log.error(message) }
        fflush(nil)
        exit(2)
    }

    /// MPI's world when started by mpirun, else a world of one.
    static func communicator() throws -> Communicator {
        MPICommunicator.launchedByMPI ? try MPICommunicator.start() : LocalCommunicator()
    }

    /// Runs `body` with the communicator. A `RankFailure` (an error every rank agreed on) is
    /// printed once by rank 0 and every rank exits 1 after finalizing MPI; any other error ends the
    /// whole job through MPI_Abort, since a rank that just exited would leave the others waiting.
    /// Either way rank 0, when it knows the error, records it as "failed" in `runDirectory`'s
    /// status.json (see `RunStatus.recordFailure`).
    static func run(runDirectory: String? = nil, _ body: (Communicator) throws -> Void) -> Never {
        let comm: Communicator
        do {
            comm = try communicator()
        } catch {
            Log.error("cannot start MPI: \(error)", rank: launcherRank)
            exit(1)
        }
        do {
            try body(comm)
        } catch let failure as RankFailure {
            let message = "[rank \(failure.rank)] error: \(failure.message)"
            recordFailure(comm, runDirectory, message)
            stopAll(comm, message)
        } catch {
            let message = "[rank \(comm.rank)] error: \(error)"
            recordFailure(comm, runDirectory, message)
            comm.abort(code: 1, message: message)
        }
        finish(comm, code: 0)
    }

    /// Rank 0 writes "failed" and `message` to the run's status.json.
    private static func recordFailure(_ comm: Communicator, _ runDirectory: String?, _ message: String) {
        guard comm.isRoot, let runDirectory else { return }
        RunStatus.recordFailure(runDirectory: URL(fileURLWithPath: runDirectory), message: message, worldSize: comm.size)
    }

    /// Ends every rank in step when all of them know the same `message`: rank 0 prints it once,
    /// then each rank finalizes MPI and exits with `code`.
    static func stopAll(_ comm: Communicator, _ message: String, code: Int32 = 1) -> Never {
        if comm.isRoot { Log.plain(message) }
        fflush(nil)
        // No rank may exit before rank 0 has printed: mpirun kills the job at the first non-zero exit.
        try? comm.barrier()
        finish(comm, code: code)
    }

    private static func finish(_ comm: Communicator, code: Int32) -> Never {
        comm.finish()
        fflush(nil)
        exit(code)
    }
}
