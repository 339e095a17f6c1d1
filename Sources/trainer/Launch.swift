import Collectives
import Foundation
import Training

/// Process start-up and shutdown shared by the commands: picks the communicator, and turns any
/// error into one stderr line and an exit that cannot leave other ranks waiting.
enum Launch {
    /// This process's rank as mpirun announced it, readable before MPI starts.
    static var launcherRank: Int {
        Int(ProcessInfo.processInfo.environment["OMPI_COMM_WORLD_RANK"] ?? ProcessInfo.processInfo.environment["PMIX_RANK"] ?? "0") ?? 0
    }

    /// Exits with status 2 on every rank, printing `message` once (rank 0). Use before MPI starts:
    /// every rank reaches the same verdict from the same inputs.
    static func failBeforeMPI(_ message: String) -> Never {
        if launcherRank == 0 { FileHandle.standardError.write(Data("error: \(message)\n".utf8)) }
        fflush(nil)
        exit(2)
    }

    /// MPI's world when started by mpirun, else a world of one.
    static func communicator() throws -> Communicator {
        MPICommunicator.launchedByMPI ? try MPICommunicator.start() : LocalCommunicator()
    }

    /// Runs `body` with the communicator; an error on any rank prints `[rank r] error: …` and ends
    /// the whole job (MPI_Abort), since a rank that just exits would leave the others hanging.
    static func run(_ body: (Communicator) throws -> Void) -> Never {
        let comm: Communicator
        do {
            comm = try communicator()
        } catch {
            FileHandle.standardError.write(Data("[rank \(launcherRank)] error: cannot start MPI: \(error)\n".utf8))
            exit(1)
        }
        do {
            try body(comm)
        } catch {
            comm.abort(code: 1, message: "[rank \(comm.rank)] error: \(error)")
        }
        (comm as? MPICommunicator)?.finish()
        fflush(nil)
        exit(0)
    }

    /// Runs a step that only rank 0 performs (e.g. writing files) and shares its outcome, so that
    /// on failure every rank stops together with rank 0's message instead of waiting.
    static func onRoot<T>(_ comm: Communicator, _ body: () throws -> T) throws -> T? {
        var result: T? = nil
        var message = ""
        if comm.isRoot {
            do { result = try body() } catch { message = "\(error)" }
        }
        let shared = String(decoding: try comm.broadcast(bytes: Array(message.utf8)), as: UTF8.self)
        if !shared.isEmpty { stopAll(comm, shared) }
        return result
    }

    /// Ends every rank in step when all of them know the same `message`: rank 0 prints it once,
    /// then each rank finalizes MPI and exits with `code`.
    static func stopAll(_ comm: Communicator, _ message: String, code: Int32 = 1) -> Never {
        if comm.isRoot { FileHandle.standardError.write(Data("[rank 0] error: \(message)\n".utf8)) }
        (comm as? MPICommunicator)?.finish()
        fflush(nil)
        exit(code)
    }
}
