import CMPI
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Keeps a rank from outliving its job: once mpirun (or orted) is gone, nothing the rank computes
/// or saves can be used, and a checkpoint written then would race the run that replaces it.
///
/// `arm()` records the launcher and sets the parent-death signal (SIGKILL, Linux), so the kernel
/// ends the rank the moment its parent exits — two quick SIGINTs make mpirun exit at once without
/// waiting for its ranks. `isOrphaned()` is the portable check for places that are about to
/// write (before a save), in case the signal is unavailable.
public enum ParentWatch {
    // Written once by `arm()` on the main thread before any other thread starts; read-only after.
    nonisolated(unsafe) private static var launcher: pid_t = 0

    /// The parent process id recorded by `arm()`, or nil before it ran.
    public static var launcherProcessID: Int32? { launcher == 0 ? nil : launcher }

    /// Records the current parent as the launcher and arms the parent-death signal. Returns false
    /// when the parent was already gone (the caller should stop at once). Call first thing in a
    /// process started by mpirun; `MPICommunicator.start()` does.
    @discardableResult
    public static func arm() -> Bool {
        launcher = getppid()
        return CMPI_die_with_parent(launcher) != 1
    }

    /// True when `arm()` ran and this process's parent is no longer the launcher it recorded.
    public static func isOrphaned() -> Bool {
        launcher != 0 && getppid() != launcher
    }

    /// Ends this process at once, writing nothing more, when it is orphaned (`_exit`, so no atexit
    /// handler or buffered stream flushes a half-written file either).
    public static func stopIfOrphaned() {
        guard isOrphaned() else { return }
        let line = "error: mpirun (pid \(launcher)) is gone; this rank stops without saving\n"
        _ = line.withCString { write(2, $0, strlen($0)) }
        _exit(1)
    }
}
